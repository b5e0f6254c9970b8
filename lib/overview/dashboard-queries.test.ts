import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { parseSummaryQuery } from "../shared/paging";
import { getConversation, listConversations } from "../conversations/list";
import { getDelivery, listDeliveries, parseDeliveryQuery } from "../deliveries/list";
import { getSender, listSenders } from "../senders/list";
import { ParamError } from "../params";
import { neighbourVideos } from "../videos/neighbours";
import { getOverview } from "./summary";
import { postVideo } from "../../test/support/example-video";

const db = useTestDatabase();
const q = (text: string) => parseSummaryQuery(new URLSearchParams(text));
const minutesAgo = (m: number) => Date.now() - m * 60_000;

describe("dashboard queries", () => {
  it("lists conversations and senders by latest activity, pages through them and searches", async () => {
    await postVideo(db.client, { conversationId: "R:room-a", fromWxId: "wxid_alice", fromNickName: "Alice", duration: 10, sendTime: minutesAgo(30) });
    await postVideo(db.client, { conversationId: "R:room-a", fromWxId: "wxid_bob", fromNickName: "Bob", duration: 5, sendTime: minutesAgo(20) });
    await postVideo(db.client, { conversationId: "S:wxid_alice", fromWxId: "wxid_alice", fromNickName: "Alice renamed", duration: 7, sendTime: minutesAgo(10) });

    const first = await listConversations(db.client, q("limit=1"));
    expect(first.items.map((c) => c.conversationId)).toEqual(["S:wxid_alice"]);
    expect(first.items[0].conversationKind).toBe("private");
    const second = await listConversations(db.client, q(`limit=1&cursor=${first.nextCursor}`));
    expect(second.items[0]).toMatchObject({ conversationId: "R:room-a", conversationKind: "group", videoCount: 2, totalDuration: 15, participantCount: 2 });
    expect(second.nextCursor).toBeNull();
    expect((await listConversations(db.client, q("q=room"))).items.map((c) => c.conversationId)).toEqual(["R:room-a"]);
    expect((await listConversations(db.client, q("q=%25"))).items).toEqual([]);

    const senders = await listSenders(db.client, q(""));
    expect(senders.items.map((s) => [s.fromWxId, s.nickName, s.videoCount])).toEqual([
      ["wxid_alice", "Alice renamed", 2],
      ["wxid_bob", "Bob", 1],
    ]);
    // An old nickname still finds its sender.
    expect((await listSenders(db.client, q("q=alice"))).items.map((s) => s.fromWxId)).toEqual(["wxid_alice"]);
    expect((await listSenders(db.client, q("q=BOB"))).items.map((s) => s.fromWxId)).toEqual(["wxid_bob"]);

    const alice = await getSender(db.client, "wxid_alice");
    expect(alice?.nicknames.map((n) => n.nickName)).toEqual(["Alice renamed", "Alice"]);
    expect(alice?.conversations.map((c) => c.conversationId)).toEqual(["S:wxid_alice", "R:room-a"]);
    expect(await getSender(db.client, "nobody")).toBeNull();

    const room = await getConversation(db.client, "R:room-a");
    expect(room?.participants.map((p) => [p.fromWxId, p.nickName])).toEqual([
      ["wxid_alice", "Alice renamed"],
      ["wxid_bob", "Bob"],
    ]);
    expect(await getConversation(db.client, "R:none")).toBeNull();
  });

  it("refuses a malformed cursor or limit with a ParamError", () => {
    expect(() => q("cursor=not-a-cursor!")).toThrow(ParamError);
    expect(() => q("cursor=abc")).toThrow(/malformed cursor/);
    expect(() => q("limit=0")).toThrow(/limit/);
    expect(() => q("limit=abc")).toThrow(ParamError);
    expect(q("limit=10").limit).toBe(10);
  });

  it("sums the overview from the summary tables", async () => {
    const now = new Date();
    const before = await getOverview(db.client, now);
    await postVideo(db.client, { conversationId: "R:overview", fromWxId: "wxid_top", duration: 60, sendTime: now.getTime() - 1000 });
    await postVideo(db.client, { conversationId: "R:overview", fromWxId: "wxid_top", duration: 30, sendTime: now.getTime() - 3 * 86_400_000 });
    await postVideo(db.client, { conversationId: "R:overview", fromWxId: "wxid_top", duration: 1, sendTime: now.getTime() - 60 * 86_400_000 });
    const after = await getOverview(db.client, now);
    expect(after.videosTotal - before.videosTotal).toBe(3);
    expect(after.totalDuration - before.totalDuration).toBe(91);
    expect(after.videosToday - before.videosToday).toBe(1);
    expect(after.videosLast7Days - before.videosLast7Days).toBe(2);
    expect(after.hourly).toHaveLength(24);
    expect(after.hourly.at(-1)!.count - before.hourly.at(-1)!.count).toBe(1);
    expect(after.daily).toHaveLength(30);
    expect(after.daily.reduce((n, b) => n + b.count, 0) - before.daily.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(after.conversations - before.conversations).toBe(1);
    expect(after.activeConversations - before.activeConversations).toBe(1);
    expect(after.topSenders[0]).toMatchObject({ fromWxId: "wxid_top", videoCount: 3 });
    expect(after.topSenders.every((s) => s.videoCount > 1)).toBe(true);
    expect(after.topConversations[0]).toMatchObject({ conversationId: "R:overview", videoCount: 3, conversationKind: "group" });
  });

  it("lists deliveries by outcome and event code, and gives a body with its secrets hidden", async () => {
    await postVideo(db.client, { fromWxId: "wxid_delivery" });
    await receiveDelivery(db.client, Buffer.from(JSON.stringify({ event: "30001", data: {} })));
    await receiveDelivery(db.client, Buffer.from(JSON.stringify({ event: "20004", data: { cdnData: { aes_key: "SECRETKEY" } } })));
    await receiveDelivery(db.client, Buffer.from("not json"));

    const all = await listDeliveries(db.client, parseDeliveryQuery(new URLSearchParams("limit=3")));
    expect(all.items.map((d) => d.outcome)).toEqual(["rejected", "rejected", "other_event"]);
    expect(all.items[0]).not.toHaveProperty("body");
    const rest = await listDeliveries(db.client, parseDeliveryQuery(new URLSearchParams(`limit=500&cursor=${all.nextCursor}`)));
    expect(rest.items.some((d) => d.outcome === "stored" && d.videoEventId !== null)).toBe(true);

    const rejected = await listDeliveries(db.client, parseDeliveryQuery(new URLSearchParams("outcome=rejected&eventCode=20004")));
    expect(rejected.items).toHaveLength(1);
    expect(rejected.items[0].error).toMatch(/invalid 20004 payload/);
    const body = await getDelivery(db.client, rejected.items[0].id);
    expect(body?.body).toContain("[redacted]");
    expect(body?.body).not.toContain("SECRETKEY");
    expect(await getDelivery(db.client, "99999999999999999999")).toBeNull();
    expect(() => parseDeliveryQuery(new URLSearchParams("outcome=lost"))).toThrow(/outcome/);
  });
});

describe("adjacent videos", () => {
  it("finds the newer and older neighbours in list order", async () => {
    const base = Date.UTC(2018, 5, 1);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await postVideo(db.client, { fromWxId: "wxid_adjacent", sendTime: base + i * 1000 });
      ids.push((r as { videoId: string }).videoId);
    }
    expect(await neighbourVideos(db.client, ids[1])).toEqual({ newer: ids[2], older: ids[0] });
    expect((await neighbourVideos(db.client, ids[0])).newer).toBe(ids[1]);
    expect(await neighbourVideos(db.client, "12345678901234567890")).toEqual({ newer: null, older: null });
  });
});
