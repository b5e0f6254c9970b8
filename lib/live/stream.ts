// One browser's Server-Sent Events stream over the process's live hub.
import type { LiveHub } from "./hub";

export const HEARTBEAT_MS = 15_000;
export const RETRY_MS = 2_000;
/**
 * Bytes that may wait for one client. A client that stops reading (a stalled connection, a
 * suspended tab) gets nothing more once this much is queued, then one `resync` event when it
 * reads again (the page reloads what it missed): its queue, and the server's memory, stay bounded.
 */
export const MAX_QUEUED_BYTES = 256 * 1024;

export type StreamHooks = { opened?: () => void; closed?: () => void };

/** The SSE byte stream for one client; it ends (and unsubscribes) when `signal` aborts. */
export function liveEventStream(hub: LiveHub, signal: AbortSignal, hooks: StreamHooks = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  let behind = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (text: string) => {
          if (behind) return;
          if ((controller.desiredSize ?? 0) <= 0) {
            behind = true;
            return;
          }
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
      // The client read again: if it missed anything, it is told to reload instead.
      pull(controller) {
        if (!behind) return;
        behind = false;
        controller.enqueue(encoder.encode(`event: resync\ndata: {}\n\n`));
      },
      cancel() {
        cleanup();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: MAX_QUEUED_BYTES }),
  );
}
