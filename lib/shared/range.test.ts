// The conversation and sender lists by date range (issue 27 item 6): only the keys with a video in
// the range, read from the summaries; a key whose videos reach past the range's end is looked up.
process.env.TZ = "Asia/Shanghai";

import { describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { postVideo } from "../../test/support/example-video";
import { listConversations } from "../conversations/list";
import { videosBetween } from "../overview/summary";
import { listSenders } from "../senders/list";
import { parseVideoFilters } from "../videos/filters";
import { parseSummaryQuery } from "./paging";
import { keysOfSparseRange } from "./range";

// Both ways of finding the keys: from the range's few videos (keysOfSparseRange), and walking the
// summaries with a lookup per key (what a range of many videos does).
const mode = vi.hoisted(() => ({ sparse: true }));
vi.mock("./range", async (importOriginal) => {
  const real = await importOriginal<typeof import("./range")>();
  return { ...real, keysOfSparseRange: (...args: Parameters<typeof real.keysOfSparseRange>) => (mode.sparse ? real.keysOfSparseRange(...args) : Promise.resolve(null)) };
});

const db = useTestDatabase();
const q = (text: string) => parseSummaryQuery(new URLSearchParams(text));

describe("summary lists by date range", () => {
  it("lists the conversations and senders with a video in the range, in the dashboard's zone", async () => {
    // Days in Shanghai: 8 December starts at 2026-12-07T16:00Z.
    await postVideo(db.client, { conversationId: "R:early", fromWxId: "wxid_early", sendTime: Date.parse("2026-12-01T04:00:00Z") });
    // Before and after the 5th, nothing on it: the one a lookup must leave out.
    await postVideo(db.client, { conversationId: "R:around", fromWxId: "wxid_around", sendTime: Date.parse("2026-12-02T04:00:00Z") });
    await postVideo(db.client, { conversationId: "R:around", fromWxId: "wxid_around", sendTime: Date.parse("2026-12-08T04:00:00Z") });
    // On the 5th and later.
    await postVideo(db.client, { conversationId: "R:spans", fromWxId: "wxid_spans", sendTime: Date.parse("2026-12-05T04:00:00Z") });
    await postVideo(db.client, { conversationId: "R:spans", fromWxId: "wxid_spans", sendTime: Date.parse("2026-12-08T05:00:00Z") });
    // 00:30 on the 8th in Shanghai, the 7th in UTC.
    await postVideo(db.client, { conversationId: "R:late", fromWxId: "wxid_late", sendTime: Date.parse("2026-12-07T16:30:00Z") });

    const conversations = async (text: string) => (await listConversations(db.client, q(text))).items.map((c) => c.conversationId);
    const senders = async (text: string) => (await listSenders(db.client, q(text))).items.map((s) => s.fromWxId);

    for (const sparse of [true, false]) {
      mode.sparse = sparse;
      expect(await conversations("")).toEqual(["R:spans", "R:around", "R:late", "R:early"]);
      expect(await conversations("from=2026-12-08&to=2026-12-08")).toEqual(["R:spans", "R:around", "R:late"]);
      expect(await conversations("from=2026-12-07&to=2026-12-07")).toEqual([]);
      expect(await conversations("from=2026-12-05&to=2026-12-05")).toEqual(["R:spans"]);
      expect(await conversations("from=2026-12-01&to=2026-12-02")).toEqual(["R:around", "R:early"]);
      expect(await conversations("to=2026-12-01")).toEqual(["R:early"]);
      expect(await conversations("from=2026-12-03")).toEqual(["R:spans", "R:around", "R:late"]);
      // With a search and through pages.
      expect(await conversations("q=around&from=2026-12-05&to=2026-12-05")).toEqual([]);
      const first = await listConversations(db.client, q("from=2026-12-08&to=2026-12-08&limit=2"));
      expect(first.items.map((c) => c.conversationId)).toEqual(["R:spans", "R:around"]);
      expect((await listConversations(db.client, q(`from=2026-12-08&to=2026-12-08&limit=2&cursor=${first.nextCursor}`))).items.map((c) => c.conversationId)).toEqual(["R:late"]);

      expect(await senders("from=2026-12-05&to=2026-12-05")).toEqual(["wxid_spans"]);
      expect(await senders("from=2026-12-01&to=2026-12-02")).toEqual(["wxid_around", "wxid_early"]);
      expect(await senders("from=2026-12-08T00:00:00Z")).toEqual(["wxid_spans", "wxid_around"]);
    }
    mode.sparse = true;
    expect(await keysOfSparseRange(db.client, "conversationId", q("from=2026-12-05&to=2026-12-05"))).toEqual(["R:spans"]);
    // A range that has not ended is left to the summaries.
    expect(await keysOfSparseRange(db.client, "conversationId", q("from=2026-12-05&to=2026-12-05"), new Date("2026-12-05T06:00:00Z"))).toBeNull();

    // The overview's count for a range, from the hourly summary.
    const between = async (text: string) => videosBetween(db.client, parseVideoFilters(new URLSearchParams(text)));
    expect(await between("from=2026-12-08&to=2026-12-08")).toEqual({ count: 3, duration: 9 });
    expect(await between("from=2026-12-07&to=2026-12-07")).toEqual({ count: 0, duration: 0 });
    expect(await between("from=2026-12-01&to=2026-12-05")).toEqual({ count: 3, duration: 9 });
    expect(await between("")).toEqual({ count: 6, duration: 18 });
  });

  it("refuses a range that ends before it starts, or a day the calendar does not have", () => {
    expect(() => q("from=2026-12-08&to=2026-12-01")).toThrow(/from is after to/);
    expect(() => q("from=2026-02-30")).toThrow(/not a date/);
  });
});
