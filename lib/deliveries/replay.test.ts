import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery, recordOversizeDelivery } from "../ingest/store";
import { replayDelivery } from "./replay";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

async function lastDeliveryId(): Promise<string> {
  const { rows } = await db.pool.query(`SELECT max(id)::text AS id FROM deliveries`);
  return rows[0].id;
}

describe("replaying a delivery", () => {
  it("stores a delivery rejected under an older, stricter schema, and links the replay to it", async () => {
    // As if an earlier version had refused this valid body: the row a rejection leaves.
    const valid = JSON.stringify({ ...example, data: { ...example.data, serverId: "replayed-1" } });
    const { rows } = await db.pool.query(
      `INSERT INTO deliveries ("eventCode", outcome, "httpStatus", error, body, "bodyBytes") VALUES ('20004', 'rejected', 400, 'old schema', $1, $2) RETURNING id::text`,
      [valid, Buffer.byteLength(valid)],
    );
    const original = rows[0].id;
    const result = await replayDelivery(db.client, original);
    expect(result).toMatchObject({ kind: "replayed", outcome: "stored" });
    const replay = await db.pool.query(`SELECT outcome::text, "replayOf"::text, "videoEventId" IS NOT NULL AS linked FROM deliveries WHERE id = $1`, [
      (result as { deliveryId: string }).deliveryId,
    ]);
    expect(replay.rows).toEqual([{ outcome: "stored", replayOf: original, linked: true }]);
    // The original keeps its own outcome; a second replay finds the video already stored.
    expect((await db.pool.query(`SELECT outcome::text FROM deliveries WHERE id = $1`, [original])).rows[0].outcome).toBe("rejected");
    expect(await replayDelivery(db.client, original)).toMatchObject({ kind: "replayed", outcome: "duplicate" });
  });

  it("records a still-broken body as rejected again, with its reason", async () => {
    await receiveDelivery(db.client, Buffer.from(JSON.stringify({ event: "20004", data: { robotId: "r" } })));
    const result = await replayDelivery(db.client, await lastDeliveryId());
    expect(result).toMatchObject({ kind: "replayed", outcome: "rejected", error: expect.stringContaining("cdnData") });
  });

  it("says why it cannot replay: unknown id, no body kept, truncated body", async () => {
    expect(await replayDelivery(db.client, "999999999")).toEqual({ kind: "not_found" });
    expect(await replayDelivery(db.client, "not-a-number")).toEqual({ kind: "not_found" });
    await receiveDelivery(db.client, Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId: "kept-1" } })));
    expect(await replayDelivery(db.client, await lastDeliveryId())).toMatchObject({ kind: "no_body" });
    await recordOversizeDelivery(db.client, Buffer.alloc(5000, "x"), 2_000_000, 1_048_576);
    expect(await replayDelivery(db.client, await lastDeliveryId())).toMatchObject({ kind: "no_body", reason: expect.stringContaining("oversize") });
  });
});
