import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { listVideos } from "../videos/list";
import { NO_FILTERS } from "../videos/filters";
import { receiveDelivery, recordOversizeDelivery } from "./store";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const withIds = (serverId: string, localId = "1") => ({ ...example, data: { ...example.data, serverId, localId } });

async function count(table: string, where = "TRUE"): Promise<number> {
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return rows[0].n;
}

describe("receiving deliveries", () => {
  beforeEach(async () => {
    await db.pool.query("TRUNCATE video_events, deliveries, conversation_summaries, conversation_participants, sender_summaries, sender_nicknames, video_hourly");
  });

  it("stores the provider's example once, and records a duplicate the second time", async () => {
    expect(await receiveDelivery(db.client, body(example))).toMatchObject({ outcome: "stored" });
    expect(await receiveDelivery(db.client, body(example))).toMatchObject({ outcome: "duplicate" });
    expect(await count("video_events")).toBe(1);
    const { rows } = await db.pool.query(`SELECT outcome::text, "httpStatus", "videoEventId" IS NOT NULL AS linked FROM deliveries ORDER BY id`);
    expect(rows).toEqual([
      { outcome: "stored", httpStatus: 200, linked: true },
      { outcome: "duplicate", httpStatus: 200, linked: true },
    ]);
  });

  it("keeps 20 concurrent redeliveries of one message as exactly one row", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => receiveDelivery(db.client, body(withIds("777")))));
    expect(results.filter((r) => r.outcome === "stored")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(19);
    expect(await count("video_events")).toBe(1);
    expect(await count("deliveries")).toBe(20);
  });

  it("recognises a redelivered envelope that carries no time at all, though its sendTime is its arrival", async () => {
    const timeless = withIds("T1");
    delete timeless.time;
    delete timeless.data.sendTime;
    const first = await receiveDelivery(db.client, body(timeless));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await receiveDelivery(db.client, body(timeless));
    expect(first).toMatchObject({ outcome: "stored" });
    expect(again).toMatchObject({ outcome: "duplicate", videoId: (first as { videoId: string }).videoId });
    expect(await count("video_events")).toBe(1);
  });

  it("unlinks deliveries from a deleted video (what a foreign key with ON DELETE SET NULL did)", async () => {
    const stored = await receiveDelivery(db.client, body(withIds("U1")));
    await receiveDelivery(db.client, body(withIds("U1")));
    await receiveDelivery(db.client, body(withIds("U2")));
    expect(stored.outcome).toBe("stored");
    await db.pool.query(`DELETE FROM video_events WHERE id = $1`, [(stored as { videoId: string }).videoId]);
    const { rows } = await db.pool.query(`SELECT "videoEventId" IS NULL AS unlinked FROM deliveries ORDER BY id`);
    expect(rows.map((r) => r.unlinked)).toEqual([true, true, false]);
  });

  it("identifies a message by instanceId + serverId, falling back to localId when serverId is empty or 0", async () => {
    await receiveDelivery(db.client, body(withIds("0", "L1")));
    await receiveDelivery(db.client, body(withIds("", "L1")));
    await receiveDelivery(db.client, body(withIds("0", "L2")));
    await receiveDelivery(db.client, body({ ...withIds("S1"), data: { ...withIds("S1").data, instanceId: "other-instance" } }));
    await receiveDelivery(db.client, body(withIds("S1")));
    const { rows } = await db.pool.query(`SELECT "instanceId", "messageKey" FROM video_events ORDER BY id`);
    expect(rows.map((r) => r.messageKey)).toEqual(["local:L1", "local:L2", "S1", "S1"]);
  });

  it("stores every payload field in its column (the CDN strings only in raw) and the raw envelope as received", async () => {
    await receiveDelivery(db.client, body(example));
    const { rows } = await db.pool.query(`SELECT * FROM video_events`);
    expect(rows[0]).toMatchObject({
      robotId: "string",
      fromWxId: "test",
      fromNickName: "好友昵称",
      conversationId: "string",
      toWxId: "string",
      messageSource: 0,
      isPc: 0,
      messageType: 103,
      appInfo: "string",
      width: 224,
      height: 398,
      duration: 3,
      cdnType: 1,
      cdnSize: "120722",
      // The CDN strings are kept once, in raw (lib/shared/cdn-strings; lib/ingest/cdn-strings.test.ts).
      cdnMd5: null,
      cdnAesKey: null,
      cdnUrl: null,
      cdnPreviewSize: "5765",
      cdnPreviewWidth: 90,
      cdnPreviewHeight: 120,
      raw: example,
    });
    expect(rows[0].sendTime.toISOString()).toBe("2024-09-20T10:03:47.676Z");
  });

  it("keeps other events and rejected bodies in the deliveries log, with their reason", async () => {
    expect(await receiveDelivery(db.client, body({ event: "20002", data: { content: "hi" } }))).toEqual({ status: 200, outcome: "other_event", eventCode: "20002" });
    const rejected = await receiveDelivery(db.client, Buffer.from("{broken"));
    expect(rejected).toMatchObject({ outcome: "rejected", error: expect.stringContaining("not JSON") });
    await recordOversizeDelivery(db.client, Buffer.alloc(10_000, "a"), 2_000_000, 1_048_576);
    const { rows } = await db.pool.query(`SELECT "eventCode", outcome::text, "httpStatus", error, body, "bodyBytes" FROM deliveries ORDER BY id`);
    expect(rows[0]).toMatchObject({ eventCode: "20002", outcome: "other_event", httpStatus: 200, body: JSON.stringify({ event: "20002", data: { content: "hi" } }) });
    expect(rows[1]).toMatchObject({ outcome: "rejected", httpStatus: 400, body: "{broken" });
    expect(rows[2]).toMatchObject({ outcome: "rejected", httpStatus: 413, bodyBytes: 2_000_000 });
    expect(rows[2].body).toHaveLength(4096);
    expect(await count("video_events")).toBe(0);
  });

  it("keeps a body holding NUL characters, which PostgreSQL text cannot", async () => {
    const nul = { ...withIds("N1"), data: { ...withIds("N1").data, fromNickName: "a\u0000b" } };
    expect(await receiveDelivery(db.client, body(nul))).toMatchObject({ outcome: "stored" });
    expect(await receiveDelivery(db.client, Buffer.from("\u0000\u0001 binary"))).toMatchObject({ outcome: "rejected" });
  });

  it("keeps the summary tables current as videos arrive", async () => {
    await receiveDelivery(db.client, body(withIds("A1")));
    await receiveDelivery(db.client, body({ ...withIds("A2"), data: { ...withIds("A2").data, duration: 7, fromNickName: "new name" } }));
    const conv = await db.pool.query(`SELECT "videoCount", "totalDuration"::int AS d, "participantCount" FROM conversation_summaries`);
    expect(conv.rows).toEqual([{ videoCount: 2, d: 10, participantCount: 1 }]);
    const nick = await db.pool.query(`SELECT "nickName" FROM sender_nicknames ORDER BY "nickName"`);
    expect(nick.rows.map((r) => r.nickName)).toEqual(["new name", "好友昵称"]);
    const page = await listVideos(db.client, NO_FILTERS, { limit: 10 });
    expect(page.items).toHaveLength(2);
  });
});
