import { accessEnds } from "@/lib/http/access";
import { handle } from "@/lib/http/responses";
import { processLiveHub } from "@/lib/live/process-hub";
import { lastEventId, liveEventStream } from "@/lib/live/stream";
import { metrics } from "@/lib/metrics/registry";

export const dynamic = "force-dynamic";

/** How long a new stream waits for the process's LISTEN to be in place before answering anyway. */
const LISTEN_WAIT_MS = 3000;

/**
 * How often an open stream checks again that its request would still be let in: a session logged
 * out on any instance, or expired, ends its streams within this long (promised: within 30 s).
 */
const ACCESS_RECHECK_MS = 15_000;

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const hub = processLiveHub();
    // Answer once LISTEN is in place, so that a client whose stream is open never misses a video
    // stored right after (the first client of a fresh process would otherwise race the LISTEN).
    await Promise.race([hub.ready(), new Promise((resolve) => setTimeout(resolve, LISTEN_WAIT_MS).unref())]);
    const stream = liveEventStream(
      hub,
      request.signal,
      { opened: () => metrics.liveClients.inc(), closed: () => metrics.liveClients.dec() },
      // A reconnecting EventSource names the last event it got: it is sent what it missed.
      lastEventId(request),
      accessEnds(request, ACCESS_RECHECK_MS, request.signal),
    );
    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        // Proxies such as nginx would otherwise hold events back.
        "X-Accel-Buffering": "no",
      },
    });
  });
}
