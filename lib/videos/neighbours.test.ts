import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { decodeTimeIdCursor } from "../shared/paging";
import { NO_FILTERS } from "./filters";
import { listVideos } from "./list";
import { neighbourVideos } from "./neighbours";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

const base = Date.parse("2025-03-01T08:00:00Z");
const GROUP = "R:watch-in-order@chatroom";
const OTHER = "R:another-room@chatroom";
/**
 * Twelve videos, interleaved: even ones in GROUP, odd ones in OTHER, so the next video overall is
 * always in the other conversation. Videos 4 and 6 share one sendTime (ties go by id). Sender
 * alice sends 0, 3, 6, 9 (across both conversations), bob the rest.
 */
const sendTimes = Array.from({ length: 12 }, (_, i) => base + (i === 6 ? 4 : i) * 60_000);
const fixtures = sendTimes.map((sendTime, i) => ({
  ...example,
  data: {
    ...example.data,
    serverId: `N${i}`,
    sendTime,
    conversationId: i % 2 === 0 ? GROUP : OTHER,
    fromWxId: i % 3 === 0 ? "wxid_alice" : "wxid_bob",
    fromNickName: i % 3 === 0 ? "爱丽丝" : "Bob",
  },
}));

/** serverId → id, and back. */
const ids = new Map<string, string>();
const serverIdOf = (id: string | null) => (id === null ? null : [...ids].find(([, v]) => v === id)![0]);
const around = async (serverId: string, filters = NO_FILTERS) => {
  const n = await neighbourVideos(db.client, ids.get(serverId)!, filters);
  return { newer: serverIdOf(n.newer), older: serverIdOf(n.older) };
};

describe("a video's neighbours within its context", () => {
  beforeAll(async () => {
    for (const f of fixtures) await receiveDelivery(db.client, Buffer.from(JSON.stringify(f)));
    const page = await listVideos(db.client, NO_FILTERS, { limit: 100 });
    for (const v of page.items) ids.set(v.serverId!, v.id);
    expect(ids.size).toBe(12);
  });

  it("within a conversation, steps over the other conversation's videos", async () => {
    const inGroup = { ...NO_FILTERS, conversationId: GROUP };
    expect(await around("N2", inGroup)).toEqual({ newer: "N4", older: "N0" });
    // Without a context the neighbour is the other conversation's video.
    expect(await around("N2")).toEqual({ newer: "N3", older: "N1" });
    expect(await around("N0", inGroup)).toEqual({ newer: "N2", older: null });
    expect(await around("N10", inGroup)).toEqual({ newer: null, older: "N8" });
  });

  it("orders videos sent at the same moment by id, the lists' order, without skipping either", async () => {
    const inGroup = { ...NO_FILTERS, conversationId: GROUP };
    // N4 and N6 share a sendTime; N4 was stored first (smaller id), so it is the older of the two.
    expect(await around("N4", inGroup)).toEqual({ newer: "N6", older: "N2" });
    expect(await around("N6", inGroup)).toEqual({ newer: "N8", older: "N4" });
    // Walking the whole conversation newest to oldest and back visits each video once.
    const walk = async (from: string, step: "newer" | "older") => {
      const seen = [from];
      for (let at: string | null = from; at; ) {
        at = (await around(at, inGroup))[step];
        if (at) seen.push(at);
      }
      return seen;
    };
    expect(await walk("N10", "older")).toEqual(["N10", "N8", "N6", "N4", "N2", "N0"]);
    expect(await walk("N0", "newer")).toEqual(["N0", "N2", "N4", "N6", "N8", "N10"]);
  });

  it("within a sender, across conversations", async () => {
    const alice = { ...NO_FILTERS, fromWxId: "wxid_alice" };
    expect(await around("N3", alice)).toEqual({ newer: "N6", older: "N0" });
    expect(await around("N9", alice)).toEqual({ newer: null, older: "N6" });
  });

  it("within a search's filters (q on a nickname, with another filter)", async () => {
    expect(await around("N3", { ...NO_FILTERS, q: "爱丽" })).toEqual({ newer: "N6", older: "N0" });
    expect(await around("N6", { ...NO_FILTERS, q: "爱丽", conversationId: GROUP })).toEqual({ newer: null, older: "N0" });
  });

  it("has none for an unknown or malformed id", async () => {
    const none = { newer: null, older: null };
    expect(await neighbourVideos(db.client, "999999999", { ...NO_FILTERS, conversationId: GROUP })).toEqual(none);
    expect(await neighbourVideos(db.client, "12345678901234567890")).toEqual(none);
    expect(await neighbourVideos(db.client, "1; DROP TABLE video_events")).toEqual(none);
  });

  it("lists a conversation oldest first, page by page, neither skipping nor repeating", async () => {
    const inGroup = { ...NO_FILTERS, conversationId: GROUP };
    const seen: string[] = [];
    let page = await listVideos(db.client, inGroup, { limit: 4 }, { order: "asc" });
    seen.push(...page.items.map((v) => v.serverId!));
    expect(page.nextCursor).not.toBeNull();
    page = await listVideos(db.client, inGroup, { limit: 4, cursor: decodeTimeIdCursor(page.nextCursor!)! }, { order: "asc" });
    seen.push(...page.items.map((v) => v.serverId!));
    expect(page.nextCursor).toBeNull();
    expect(seen).toEqual(["N0", "N2", "N4", "N6", "N8", "N10"]);
    // The same order as stepping "newer" from the oldest.
    const desc = await listVideos(db.client, inGroup, { limit: 100 });
    expect(desc.items.map((v) => v.serverId)).toEqual([...seen].reverse());
  });
});
