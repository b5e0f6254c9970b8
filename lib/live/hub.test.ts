import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { exampleVideo, postVideo } from "../../test/support/example-video";
import { receiveDelivery } from "../ingest/store";
import type { VideoListItem } from "../videos/item";
import { setLabel } from "../labels/labels";
import { withNames } from "../videos/list";
import { CHANNEL, createLiveHub, parseIds, type LiveHub } from "./hub";
import { liveEventStream } from "./stream";

const db = useTestDatabase();
const hubs: LiveHub[] = [];
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.close()));
});

function collect(hub: LiveHub) {
  const videos: VideoListItem[] = [];
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
    const { videoId } = (await postVideo(db.client, { fromWxId: "wxid_deleted_live" })) as { videoId: string };
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
    await postVideo(db.client, { fromWxId: "wxid_live", fromNickName: "Live one" });
    await until(() => one.videos.length === 1 && two.videos.length === 1 && three.videos.length === 1);
    expect(one.videos[0]).toMatchObject({ fromWxId: "wxid_live", fromNickName: "Live one", duration: 3 });
  });

  it("sends each video with its conversation's name, and still sends it when naming fails (issue 27)", async () => {
    await postVideo(db.client, { fromWxId: "wxid_named", fromNickName: "Named one", conversationId: "R:live-named@chatroom" });
    await setLabel(db.client, "conversation", "R:live-named@chatroom", "直播群");
    const named = createLiveHub({ connectionString: db.url, pool: db.pool, decorate: (items) => withNames(db.client, items) });
    const failing = createLiveHub({ connectionString: db.url, pool: db.pool, decorate: () => Promise.reject(new Error("no names today")) });
    try {
      const a = collect(named);
      const b = collect(failing);
      await Promise.all([named.ready(), failing.ready()]);
      const before = await named.latestId();
      await postVideo(db.client, { fromWxId: "wxid_named", fromNickName: "Named one", conversationId: "R:live-named@chatroom" });
      await until(() => a.videos.length === 1 && b.videos.length === 1);
      expect(a.videos[0]).toMatchObject({ conversationName: { label: "直播群", nicknames: ["Named one"], participantCount: 1 }, robotLabel: null });
      expect(b.videos[0]).toMatchObject({ fromWxId: "wxid_named" });
      expect(b.videos[0]).not.toHaveProperty("conversationName");
      const [caughtUp] = await named.videosAfter(before, 1);
      expect(caughtUp).toMatchObject({ conversationName: { label: "直播群" } });
    } finally {
      // Not left listening: the later tests' videos would be named (and fail) for nobody.
      await Promise.all([named.close(), failing.close()]);
    }
  });

  it("a duplicate announces nothing", async () => {
    const hub = createLiveHub({ connectionString: db.url, pool: db.pool });
    hubs.push(hub);
    const seen = collect(hub);
    await hub.ready();
    const original = exampleVideo({ fromWxId: "wxid_dup" });
    const body = Buffer.from(JSON.stringify(original));
    expect(await receiveDelivery(db.client, body)).toMatchObject({ outcome: "stored" });
    await until(() => seen.videos.length === 1);
    expect(await receiveDelivery(db.client, body)).toMatchObject({ outcome: "duplicate" });
    // Notifications arrive in commit order: once the video posted after the duplicate is here,
    // anything the duplicate announced would be here too.
    await postVideo(db.client, { fromWxId: "wxid_after_dup" });
    await until(() => seen.videos.some((v) => v.fromWxId === "wxid_after_dup"));
    expect(seen.videos.map((v) => v.fromWxId)).toEqual(["wxid_dup", "wxid_after_dup"]);
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
    // A listener of the test's own sees the notifications in the order the hub gets them.
    const payloads: string[] = [];
    const listener = new pg.Client({ connectionString: db.url });
    listener.on("notification", (n) => payloads.push(n.payload ?? ""));
    await listener.connect();
    await listener.query(`LISTEN ${CHANNEL}`);
    await Promise.all(senders.map((fromWxId) => postVideo(db.client, { fromWxId })));
    await until(() => payloads.flatMap(parseIds).length === senders.length);
    await listener.end();
    // "During the read": the hub took the first notification's ids and its read is blocked on the
    // held connection (ids only wait while a read is under way); every later id has reached the
    // hub and waits for the next read.
    const later = payloads.slice(1).flatMap(parseIds).sort();
    await until(() => hub.waitingIds().length === later.length);
    expect([...hub.waitingIds()].sort()).toEqual(later);
    held.release();
    await until(() => seen.videos.length >= senders.length);
    // The last SSE chunk is written a microtask after the hub hands it over.
    await until(() => (chunks.join("").match(/"fromWxId":"wxid_burst_\d+"/g) ?? []).length >= senders.length);
    // A marker posted afterwards: once it is streamed, any late duplicate of the burst would be too.
    await postVideo(db.client, { fromWxId: "wxid_after_burst" });
    await until(() => chunks.join("").includes("wxid_after_burst"));
    expect(seen.videos.filter((v) => v.fromWxId.startsWith("wxid_burst_")).map((v) => v.fromWxId).sort()).toEqual(senders);
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
    await postVideo(db.client, { fromWxId: "wxid_after_drop" });
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
    await postVideo(db.client, { fromWxId: "wxid_sse" });
    while (!text.includes("wxid_sse")) text += decoder.decode((await reader.read()).value);
    expect(text).toMatch(/^retry: \d+\n/);
    expect(text).toMatch(/event: video\nid: \d+\ndata: \{.*"fromWxId":"wxid_sse"/);
    abort.abort();
    expect((await reader.read()).done).toBe(true);
    expect(open).toBe(0);
    expect(hub.subscriberCount()).toBe(0);
  });
});
