// Recording deliveries at their edges: a copy committed by another writer while its statement
// waits, a lost connection against a refused value, what a delivery row keeps (its origin, and a
// video's body only while relaying), and the columns of a video row. Written against the mutants
// Stryker left alive in lib/ingest/store.ts, video-store.ts and video-row.ts (docs/testing.md).
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { clientAroundGroupStatements, lostConnection } from "../../test/support/group-statements";
import { waitFor } from "../../test/durability-helpers";
import { deliveryFailure, sqlState } from "../db/errors";
import { classify } from "./classify";
import { receiveDelivery, recordOversizeDelivery, storeClassified } from "./store";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const envelope = (value: unknown) => Buffer.from(JSON.stringify(value));
const video = (serverId: string, data: Record<string, unknown> = {}) => envelope({ ...example, data: { ...example.data, serverId, ...data } });

async function deliveries(): Promise<Record<string, unknown>[]> {
  const { rows } = await db.pool.query(
    `SELECT id::text, outcome::text, "httpStatus", error, body, "contentType", "replayOf"::text, "robotId", "instanceId", "videoEventId"::text FROM deliveries ORDER BY id`,
  );
  return rows;
}

beforeEach(async () => {
  await db.pool.query("TRUNCATE video_events, deliveries, conversation_summaries, conversation_participants, sender_summaries, sender_nicknames, video_hourly");
});

describe("recording a delivery", () => {
  it("links a copy to the video another writer committed while its statement was waiting", async () => {
    // The first copy is stored in a transaction held open until the second copy waits on it.
    let commit = () => {};
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let first: Awaited<ReturnType<typeof receiveDelivery>> | undefined;
    const writer = db.client.$transaction(
      async (tx) => {
        first = await receiveDelivery(tx, video("C1"));
        await committing;
      },
      { timeout: 60_000 },
    );
    writer.catch(() => {});
    try {
      await waitFor("the first copy stored, uncommitted", async () => first !== undefined);
      expect(first).toMatchObject({ outcome: "stored" });
      // The second copy's insert waits on the first one's uncommitted row; its statement's snapshot
      // was taken before that row commits, so the statement alone cannot see the video to link.
      const second = receiveDelivery(db.client, video("C1"));
      await waitFor("the second copy waiting on the first", async () => {
        const { rows } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return rows.length > 0;
      });
      commit();
      await writer;
      const videoId = (first as { videoId: string }).videoId;
      expect(await second).toMatchObject({ outcome: "duplicate", videoId });
      expect((await deliveries()).map((d) => [d.outcome, d.videoEventId])).toEqual([
        ["stored", videoId],
        ["duplicate", videoId],
      ]);
    } finally {
      commit();
      await writer.catch(() => {});
    }
  });

  it("records a video whose values PostgreSQL refuses as rejected, but throws a lost connection back to be spooled", async () => {
    const refused = await receiveDelivery(db.client, video("R1", { width: 3_000_000_000 }));
    expect(refused).toEqual({ status: 400, outcome: "rejected", eventCode: "20004", error: expect.stringMatching(/^the database refused this 20004 payload: .*out of range/), issues: [] });

    // The connection dies under the group statement (what pg_terminate_backend causes): nothing is
    // recorded, and the caller spools the delivery.
    const dying = clientAroundGroupStatements(db.pool, () => Promise.reject(lostConnection()));
    const lost = await receiveDelivery(dying, video("L1")).then(() => null, (err: unknown) => err);
    // Thrown through Prisma Client, the failure still carries its SQLSTATE: the database's fault.
    expect(sqlState(lost)).toBe("57P01");
    expect(deliveryFailure(lost)).toBe("retry");
    expect((await deliveries()).map((d) => d.outcome)).toEqual(["rejected"]);
  });

  it("keeps where a delivery came from: its Content-Type, its robot, the delivery it replays", async () => {
    await receiveDelivery(db.client, Buffer.from("{broken"), new Date(), { contentType: "text/plain" });
    const [original] = await deliveries();
    const other = envelope({ event: "20002", data: { robotId: "robot-7", instanceId: "inst-7", content: "hi" } });
    await storeClassified(db.client, classify(other), other, new Date(), { replayOf: original.id as string, contentType: "application/json" });
    await storeClassified(db.client, classify(video("P1")), video("P1"), new Date(), { replayOf: original.id as string, contentType: "application/json; charset=utf-8" });
    const [, otherRow, videoRow] = await deliveries();
    expect(otherRow).toMatchObject({ outcome: "other_event", replayOf: original.id, contentType: "application/json", robotId: "robot-7", instanceId: "inst-7" });
    expect(videoRow).toMatchObject({ outcome: "stored", replayOf: original.id, contentType: "application/json; charset=utf-8", robotId: "string", instanceId: example.data.instanceId });
  });

  it("keeps a video's body in its deliveries row only while relaying (the relay forwards the bytes received)", async () => {
    const relayed = video("B1");
    await storeClassified(db.client, classify(relayed), relayed, new Date(), { keepBody: true });
    await receiveDelivery(db.client, video("B2"));
    expect((await deliveries()).map((d) => d.body)).toEqual([relayed.toString(), null]);

    // FORWARD_URLS set: the default (what the drain relies on when it replays a spooled video) keeps it.
    vi.stubEnv("FORWARD_URLS", "http://127.0.0.1:9/hook");
    vi.resetModules();
    try {
      const relaying = await import("./store");
      await relaying.receiveDelivery(db.client, video("B3"));
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
    expect((await deliveries()).at(-1)).toMatchObject({ outcome: "stored", body: video("B3").toString() });
  });

  it("says what was over the limit in an oversize delivery's row", async () => {
    await recordOversizeDelivery(db.client, Buffer.from("x".repeat(100)), 2_000_000, 1_048_576);
    expect((await deliveries())[0]).toMatchObject({ httpStatus: 413, error: "body of 2000000 bytes is over the limit of 1048576 (CALLBACK_MAX_BYTES)" });
  });
});

describe("a video row", () => {
  it("takes each column from the payload: the send time from data, the event time from the envelope", async () => {
    await receiveDelivery(db.client, envelope({ ...example, time: 1_700_000_000_000, description: "视频", data: { ...example.data, sendTime: 1_700_000_001_000, isPc: 1, cdnData: { ...example.data.cdnData, file_name: "v.mp4" } } }));
    const { rows } = await db.pool.query(`SELECT "sendTime", "eventTime", "isPc", description, "cdnFileName", "localId" FROM video_events`);
    expect(rows).toEqual([{ sendTime: new Date(1_700_000_001_000), eventTime: new Date(1_700_000_000_000), isPc: 1, description: "视频", cdnFileName: "v.mp4", localId: example.data.localId }]);
  });

  it("without optional fields: empty instance, sender and conversation, and a key from the data's digest when no id is sent", async () => {
    const bare = (duration: number) => {
      const data = { ...example.data, duration };
      for (const field of ["instanceId", "fromWxId", "conversationId", "serverId", "localId"]) delete data[field];
      return envelope({ ...example, data });
    };
    expect(await receiveDelivery(db.client, bare(3))).toMatchObject({ outcome: "stored" });
    expect(await receiveDelivery(db.client, bare(3))).toMatchObject({ outcome: "duplicate" });
    expect(await receiveDelivery(db.client, bare(4))).toMatchObject({ outcome: "stored" });
    const { rows } = await db.pool.query(`SELECT "instanceId", "fromWxId", "conversationId", "messageKey" FROM video_events ORDER BY id`);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatchObject({ instanceId: "", fromWxId: "", conversationId: "", messageKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(rows[0].messageKey).not.toBe(rows[1].messageKey);
  });
});
