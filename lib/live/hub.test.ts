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
