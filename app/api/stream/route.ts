import { processLiveHub } from "@/lib/live/process-hub";
import { liveEventStream } from "@/lib/live/stream";
import { metrics } from "@/lib/metrics/registry";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const stream = liveEventStream(processLiveHub(), request.signal, {
    opened: () => metrics.liveClients.inc(),
    closed: () => metrics.liveClients.dec(),
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Proxies such as nginx would otherwise hold events back.
      "X-Accel-Buffering": "no",
    },
  });
}
