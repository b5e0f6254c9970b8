// One browser's Server-Sent Events stream over the process's live hub.
import type { VideoListItem } from "../videos/item";
import type { LiveHub } from "./hub";

export const HEARTBEAT_MS = 15_000;
export const RETRY_MS = 2_000;
/**
 * Bytes that may wait for one client. A client that stops reading (a stalled connection, a
 * suspended tab) gets nothing more once this much is queued, then one `resync` event when it
 * reads again (the page reloads what it missed): its queue, and the server's memory, stay bounded.
 */
export const MAX_QUEUED_BYTES = 256 * 1024;

/** The most videos a reconnecting client is sent to catch up; beyond that it is told to resync. */
export const CATCH_UP_LIMIT = 1000;

export type StreamHooks = { opened?: () => void; closed?: () => void };

/** A `Last-Event-ID` (header, or `lastEventId` in the query for a fresh EventSource), if valid. */
export function lastEventId(request: Request): string | undefined {
  const value = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
  return value && /^\d{1,19}$/.test(value) ? value : undefined;
}

/**
 * The SSE byte stream for one client; it ends (and unsubscribes) when `signal` aborts (the client
 * went away), or when `until` aborts: then the client is first sent `event: ended` (its session
 * ended, say), so that it stops reconnecting and reloads instead.
 * Each event's `id` is the highest video id sent so far, so the browser's automatic reconnect
 * (which sends it back as Last-Event-ID) resumes from there: `after` first sends every video
 * stored since, then the live ones, none twice.
 */
export function liveEventStream(hub: LiveHub, signal: AbortSignal, hooks: StreamHooks = {}, after?: string, until?: AbortSignal): ReadableStream<Uint8Array> {
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
        let cursor = after === undefined ? 0n : BigInt(after);
        const sendVideos = () => {
          const text = videos;
          videos = "";
          if (text) send(text);
        };
        const queue = (item: VideoListItem) => {
          if (!videos) queueMicrotask(sendVideos);
          if (BigInt(item.id) > cursor) cursor = BigInt(item.id);
          videos += `event: video\nid: ${cursor}\ndata: ${JSON.stringify(item)}\n\n`;
        };
        const resync = () => send(`event: resync\ndata: {}\n\n`);
        // While the starting point is read, live videos wait, so they follow it. The hub may
        // announce a video the catch-up already sent (its notification lags its commit), now or
        // later: each such id is dropped once, when it comes.
        let held: VideoListItem[] | null = [];
        const caughtUp = new Set<string>();
        const live = (item: VideoListItem) => {
          if (caughtUp.delete(item.id)) return;
          queue(item);
        };
        const unsubscribe = hub.subscribe({
          video: (item) => (held ? held.push(item) : live(item)),
          resync,
          deleted: (ids) => send(`event: deleted\ndata: ${JSON.stringify({ ids })}\n\n`),
        });
        void (async () => {
          try {
            if (after === undefined) {
              // A client that reconnects before its first video still resumes from here.
              cursor = BigInt(await hub.latestId());
              send(`event: ready\nid: ${cursor}\ndata: {}\n\n`);
            } else {
              const missed = await hub.videosAfter(after, CATCH_UP_LIMIT + 1);
              if (missed.length > CATCH_UP_LIMIT) resync();
              else
                for (const item of missed) {
                  caughtUp.add(item.id);
                  queue(item);
                }
            }
          } catch {
            resync();
          }
          const waited = held ?? [];
          held = null;
          waited.forEach(live);
        })();
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
        const end = () => {
          if (done) return;
          try {
            controller.enqueue(encoder.encode(`event: ended\ndata: {}\n\n`));
          } catch {}
          cleanup();
        };
        if (until?.aborted) end();
        else until?.addEventListener("abort", end, { once: true });
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
