import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { countingGroupStatements } from "../../test/support/group-statements";
import { VideoBatcher } from "./batcher";
import { receiveDelivery } from "./store";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const body = (serverId: string, data: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId, ...data } }));

async function count(sql: string): Promise<number> {
  const { rows } = await db.pool.query(sql);
  return rows[0].n;
}

describe("group commit", () => {
  beforeEach(async () => {
    await db.pool.query("TRUNCATE video_events, deliveries, conversation_summaries, conversation_participants, sender_summaries, sender_nicknames, video_hourly");
  });

  it("writes concurrent deliveries in groups, each answered with its own outcome", async () => {
    // Every statement the batcher sends, with how many rows it carries. The window is far longer
    // than the test, so only a full group (20 rows) may be written: 60 deliveries, 3 statements.
    const { db: counted, groups: statements } = countingGroupStatements(db.pool);
    const batcher = new VideoBatcher(counted, { windowMs: 600_000, maxRows: 20 });
    const store = (b: Buffer) => receiveDelivery(db.client, b, new Date(), { storeVideo: (item) => batcher.store(item) });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => store(body(`G${i}`))));
    expect(statements).toEqual([20, 20, 20]);
    expect(results.every((r) => r.outcome === "stored")).toBe(true);
    expect(new Set(results.map((r) => ("videoId" in r ? r.videoId : null))).size).toBe(60);
    expect(await count(`SELECT count(*)::int AS n FROM video_events`)).toBe(60);
    expect(await count(`SELECT count(*)::int AS n FROM deliveries WHERE outcome = 'stored' AND "videoEventId" IS NOT NULL`)).toBe(60);
    // The summary triggers saw every row of every group.
    expect(await count(`SELECT sum("videoCount")::int AS n FROM video_hourly`)).toBe(60);
  });

  it("writes a lone delivery when its window ends, without waiting for company", async () => {
    const batcher = new VideoBatcher(db.client, { windowMs: 5, maxRows: 20 });
    const result = await receiveDelivery(db.client, body("alone"), new Date(), { storeVideo: (item) => batcher.store(item) });
    expect(result).toMatchObject({ outcome: "stored" });
  });

  it("keeps 20 concurrent copies of one message as one row, also within one group", async () => {
    const batcher = new VideoBatcher(db.client, { windowMs: 5 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => receiveDelivery(db.client, body("same"), new Date(), { storeVideo: (item) => batcher.store(item) })),
    );
    expect(results.filter((r) => r.outcome === "stored")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(19);
    expect(await count(`SELECT count(*)::int AS n FROM video_events`)).toBe(1);
    expect(await count(`SELECT count(DISTINCT "videoEventId")::int AS n FROM deliveries WHERE "videoEventId" IS NOT NULL`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM deliveries`)).toBe(20);
  });

  it("rejects only the row PostgreSQL refuses, not the rest of its group", async () => {
    const batcher = new VideoBatcher(db.client, { windowMs: 5 });
    const store = (b: Buffer) => receiveDelivery(db.client, b, new Date(), { storeVideo: (item) => batcher.store(item) });
    const results = await Promise.all([store(body("ok1")), store(body("huge", { width: 99_999_999_999 })), store(body("ok2"))]);
    expect(results.map((r) => r.outcome)).toEqual(["stored", "rejected", "stored"]);
    expect(results[1]).toMatchObject({ error: expect.stringContaining("out of range") });
    const { rows } = await db.pool.query(`SELECT outcome::text, "httpStatus", body IS NOT NULL AS kept FROM deliveries WHERE outcome = 'rejected'`);
    expect(rows).toEqual([{ outcome: "rejected", httpStatus: 400, kept: true }]);
  });

  it("records a spooled delivery once however often it is replayed", async () => {
    for (let i = 0; i < 3; i++) await receiveDelivery(db.client, body("spooled"), new Date(), { spoolKey: "abc:1:0" });
    await receiveDelivery(db.client, Buffer.from("{not json"), new Date(), { spoolKey: "abc:1:1" });
    await receiveDelivery(db.client, Buffer.from("{not json"), new Date(), { spoolKey: "abc:1:1" });
    expect(await count(`SELECT count(*)::int AS n FROM video_events`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM deliveries`)).toBe(2);
  });
});
