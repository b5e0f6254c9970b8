// One browser's Server-Sent Events stream over the process's live hub.
import type { LiveHub } from "./hub";

export const HEARTBEAT_MS = 15_000;
export const RETRY_MS = 2_000;

export type StreamHooks = { opened?: () => void; closed?: () => void };

/** The SSE byte stream for one client; it ends (and unsubscribes) when `signal` aborts. */
export function liveEventStream(hub: LiveHub, signal: AbortSignal, hooks: StreamHooks = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      send(`retry: ${RETRY_MS}\n: connected\n\n`);
      // The videos the hub hands over in one go leave as one chunk: one write instead of one each.
      let videos = "";
      const sendVideos = () => {
        const text = videos;
        videos = "";
        if (text) send(text);
      };
      const unsubscribe = hub.subscribe({
        video: (item) => {
          if (!videos) queueMicrotask(sendVideos);
          videos += `event: video\nid: ${item.id}\ndata: ${JSON.stringify(item)}\n\n`;
        },
        resync: () => send(`event: resync\ndata: {}\n\n`),
        deleted: (ids) => send(`event: deleted\ndata: ${JSON.stringify({ ids })}\n\n`),
      });
      const heartbeat = setInterval(() => send(`: heartbeat ${Date.now()}\n\n`), HEARTBEAT_MS);
      hooks.opened?.();
      let done = false;
      cleanup = () => {
        if (done) return;
        done = true;
        clearInterval(heartbeat);
        unsubscribe();
        hooks.closed?.();
        try {
          controller.close();
        } catch {}
      };
      if (signal.aborted) cleanup();
      else signal.addEventListener("abort", cleanup, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
}
