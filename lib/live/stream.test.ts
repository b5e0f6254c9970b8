import { describe, expect, it } from "vitest";
import type { LiveHub, LiveSubscriber } from "./hub";
import { MAX_QUEUED_BYTES, liveEventStream } from "./stream";
import type { VideoListItem } from "../videos/item";

function fakeHub() {
  const subscribers = new Set<LiveSubscriber>();
  const hub: LiveHub = {
    subscribe: (s) => (subscribers.add(s), () => void subscribers.delete(s)),
    ready: async () => {},
    subscriberCount: () => subscribers.size,
    close: async () => {},
    latestId: async () => "0",
    videosAfter: async () => [],
    waitingIds: () => [],
  };
  const publish = (id: number) => {
    for (const s of subscribers) s.video({ id: String(id), fromNickName: "x".repeat(2000) } as unknown as VideoListItem);
  };
  return { hub, publish };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("a live stream's queue for one client", () => {
  it("stays bounded for a client that stops reading, which then gets a resync and live events again", async () => {
    const { hub, publish } = fakeHub();
    const abort = new AbortController();
    const reader = liveEventStream(hub, abort.signal).getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toContain(": connected");

    // The client reads nothing while 5,000 videos of 2 KB each (10 MB) go out.
    for (let id = 1; id <= 5000; id++) {
      publish(id);
      if (id % 50 === 0) await tick();
    }
    await tick();

    // What waited for it: no more than the bound (plus the one batch that crossed it), then a resync.
    let queued = 0;
    let text = "";
    for (;;) {
      const { value } = await reader.read();
      const chunk = decoder.decode(value);
      if (chunk.includes("event: resync")) break;
      queued += value!.byteLength;
      text += chunk;
    }
    expect(queued).toBeGreaterThan(0);
    expect(queued).toBeLessThan(MAX_QUEUED_BYTES + 50 * 2100);
    expect(text).not.toContain("id: 5000\n");

    // Reading again: the next video arrives as a video event.
    publish(5001);
    await tick();
    expect(decoder.decode((await reader.read()).value)).toContain("id: 5001\n");
    abort.abort();
    expect(hub.subscriberCount()).toBe(0);
  });
});

describe("a live stream whose access ends", () => {
  it("sends `ended`, then closes and unsubscribes, while the client is still connected", async () => {
    const { hub } = fakeHub();
    const connected = new AbortController();
    const access = new AbortController();
    const reader = liveEventStream(hub, connected.signal, {}, undefined, access.signal).getReader();
    const decoder = new TextDecoder();
    let text = "";
    text += decoder.decode((await reader.read()).value);
    expect(hub.subscriberCount()).toBe(1);
    access.abort("session logged out");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toMatch(/event: ended\ndata: \{\}\n\n$/);
    expect(hub.subscriberCount()).toBe(0);
    expect(connected.signal.aborted).toBe(false);
  });
});
