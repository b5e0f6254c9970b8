import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { postVideo } from "../overview/test-video";
import type { VideoItem } from "../videos/item";
import { createLiveHub, parseIds, type LiveHub } from "./hub";
import { liveEventStream } from "./stream";

const db = useTestDatabase();
const hubs: LiveHub[] = [];
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.close()));
});

function collect(hub: LiveHub) {
  const videos: VideoItem[] = [];
  let resyncs = 0;
  hub.subscribe({ video: (v) => videos.push(v), resync: () => resyncs++ });
  return { videos, resyncs: () => resyncs };
}

async function until(check: () => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("live hub", () => {
  it("parses notification payloads defensively", () => {
    expect(parseIds("1,22,333")).toEqual(["1", "22", "333"]);
    expect(parseIds("1,x;drop,3")).toEqual(["1", "3"]);
    expect(parseIds(undefined)).toEqual([]);
  });

  it("tells every hub's subscribers and streams which videos were deleted", async () => {
    const a = createLiveHub({ connectionString: db.url, pool: db.pool });
    const b = createLiveHub({ connectionString: db.url, pool: db.pool });
    hubs.push(a, b);
    const deleted: string[][] = [];
    a.subscribe({ video: () => {}, resync: () => {}, deleted: (ids) => deleted.push(ids) });
    const stream = liveEventStream(b, new AbortController().signal).getReader();
    await Promise.all([a.ready(), b.ready()]);
    const { videoId } = (await postVideo(db.pool, { fromWxId: "wxid_deleted_live" })) as { videoId: string };
    await db.pool.query(`DELETE FROM video_events WHERE id = $1`, [videoId]);
    await until(() => deleted.length > 0);
    expect(deleted).toEqual([[videoId]]);
    let text = "";
    while (!text.includes("event: deleted")) text += new TextDecoder().decode((await stream.read()).value);
    expect(text).toContain(`event: deleted\ndata: {"ids":["${videoId}"]}`);
    await stream.cancel();
  });

  it("fans a stored video out to every subscriber of every hub (two app instances)", async () => {
    const a = createLiveHub({ connectionString: db.url, pool: db.pool });
    const b = createLiveHub({ connectionString: db.url, pool: db.pool });
    hubs.push(a, b);
    const one = collect(a);
    const two = collect(a);
    const three = collect(b);
    await Promise.all([a.ready(), b.ready()]);
    await postVideo(db.pool, { fromWxId: "wxid_live", fromNickName: "Live one" });
    await until(() => one.videos.length === 1 && two.videos.length === 1 && three.videos.length === 1);
    expect(one.videos[0]).toMatchObject({ fromWxId: "wxid_live", fromNickName: "Live one", duration: 3 });
    // A duplicate stores nothing and announces nothing.
    expect(one.videos[0].serverId).toBeTruthy();
  });

  it("announces every video of a burst of separate inserts exactly once, gathering what arrives during a read", async () => {
    // The hub's reads go through a pool of one connection, held here until the whole burst has
    // been announced: the ids of every notification after the first must wait and go together.
    const narrow = new pg.Pool({ connectionString: db.url, max: 1 });
    const held = await narrow.connect();
    const hub = createLiveHub({ connectionString: db.url, pool: narrow });
    const seen = collect(hub);
    const chunks: string[] = [];
    const abort = new AbortController();
    const reader = liveEventStream(hub, abort.signal).getReader();
    const decoder = new TextDecoder();
    const reading = (async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(decoder.decode(r.value));
    })();
    await hub.ready();
    const senders = Array.from({ length: 40 }, (_, i) => `wxid_burst_${String(i).padStart(2, "0")}`);
    await Promise.all(senders.map((fromWxId) => postVideo(db.pool, { fromWxId })));
    await new Promise((r) => setTimeout(r, 300));
    held.release();
    await until(() => seen.videos.length >= senders.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.videos.map((v) => v.fromWxId).sort()).toEqual(senders);
    const streamed = chunks.join("").match(/"fromWxId":"wxid_burst_\d+"/g) ?? [];
    expect(streamed).toHaveLength(senders.length);
    // Two reads (the first notification's, then everything gathered meanwhile), one write each.
    expect(chunks.filter((c) => c.includes("wxid_burst_")).length).toBeLessThanOrEqual(2);
    abort.abort();
    await reading;
    await hub.close();
    await narrow.end();
  });

  it("reconnects when the database drops its connection, and asks views to resync", async () => {
    const hub = createLiveHub({ connectionString: db.url, pool: db.pool, maxDelayMs: 200 });
    hubs.push(hub);
    const seen = collect(hub);
    await hub.ready();
    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = 'wechat-video-dashboard live' AND datname = current_database()`);
    await until(() => seen.resyncs() > 0);
    await postVideo(db.pool, { fromWxId: "wxid_after_drop" });
    await until(() => seen.videos.some((v) => v.fromWxId === "wxid_after_drop"));
  });

  it("streams SSE with a retry hint and video events, and unsubscribes on abort", async () => {
    const hub = createLiveHub({ connectionString: db.url, pool: db.pool });
    hubs.push(hub);
    await hub.ready();
    const abort = new AbortController();
    let open = 0;
    const reader = liveEventStream(hub, abort.signal, { opened: () => open++, closed: () => open-- }).getReader();
    expect(open).toBe(1);
    expect(hub.subscriberCount()).toBe(1);
    let text = "";
    const decoder = new TextDecoder();
    await postVideo(db.pool, { fromWxId: "wxid_sse" });
    while (!text.includes("wxid_sse")) text += decoder.decode((await reader.read()).value);
    expect(text).toMatch(/^retry: \d+\n/);
    expect(text).toMatch(/event: video\nid: \d+\ndata: \{.*"fromWxId":"wxid_sse"/);
    abort.abort();
    expect((await reader.read()).done).toBe(true);
    expect(open).toBe(0);
    expect(hub.subscriberCount()).toBe(0);
  });
});
