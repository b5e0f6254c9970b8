// The conversion to monthly partitions happens on a live database: callbacks keep arriving while
// it runs, and every one of them must be stored once, announced live and counted in the summaries.
import { readFileSync } from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { constraintOf, deliveryFailure } from "./errors";
import { receiveDelivery } from "../ingest/store";
import { seedVideos } from "../seed/videos";
import { listVideos } from "../videos/list";
import { NO_FILTERS } from "../videos/filters";
import { waitFor } from "../../test/durability-helpers";
import { dropAbandonedConversion, ensureMonthlyPartitions, isPartitioned, partitionVideoEvents } from "./partition";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const NOW = new Date("2026-11-26T12:00:00Z");

function envelope(serverId: string, sendTime: Date, fromWxId = "wxid_partition_test") {
  const ms = sendTime.getTime();
  return Buffer.from(JSON.stringify({ ...example, time: ms, data: { ...example.data, serverId, sendTime: ms, fromWxId } }));
}

/** A video delivery's outcome: stored or duplicate, with the video's id. */
async function deliver(serverId: string, sendTime: Date, fromWxId?: string) {
  const result = await receiveDelivery(db.client, envelope(serverId, sendTime, fromWxId));
  if (result.outcome !== "stored" && result.outcome !== "duplicate") throw new Error(`not a video outcome: ${JSON.stringify(result)}`);
  return result;
}

async function scalar(sql: string): Promise<unknown> {
  const { rows } = await db.pool.query(sql);
  return Object.values(rows[0])[0];
}

async function partitionOf(videoId: string | null): Promise<unknown> {
  const { rows } = await db.pool.query(`SELECT tableoid::regclass::text AS part FROM video_events WHERE id = $1`, [videoId]);
  return rows[0]?.part;
}

/** Summaries the triggers keep must agree with the rows. */
async function expectSummariesToMatchRows() {
  const rows = await scalar(`SELECT count(*)::int FROM video_events`);
  expect(await scalar(`SELECT sum("videoCount")::int FROM sender_summaries`)).toBe(rows);
  expect(await scalar(`SELECT sum("videoCount")::int FROM conversation_summaries`)).toBe(rows);
  expect(await scalar(`SELECT sum("videoCount")::int FROM video_hourly`)).toBe(rows);
}

/** As before any conversion: no bound check, no (id, sendTime) index, not partitioned, and a video dated far ahead is stored. */
async function expectTableAsItWas(serverId: string) {
  expect(await scalar(`SELECT count(*)::int FROM pg_constraint WHERE conname = 'video_events_partition_bound'`)).toBe(0);
  expect(await scalar(`SELECT count(*)::int FROM pg_class WHERE relname IN ('video_events_id_time_key', 'video_events_partitioned')`)).toBe(0);
  expect(await isPartitioned(db.pool)).toBe(false);
  expect((await deliver(serverId, new Date("2031-05-01T00:00:00Z"))).outcome).toBe("stored");
  // Gone again, so that the conversion below computes its bound from the test's own data.
  await db.pool.query(`DELETE FROM video_events WHERE "serverId" = $1`, [serverId]);
}

const boundCheckPresent = async () => Number(await scalar(`SELECT count(*) FROM pg_constraint WHERE conname = 'video_events_partition_bound'`)) > 0;

describe("an interrupted conversion leaves video_events as it was", () => {
  for (const [step, after] of [
    ["adding the bound check", "rows sent before"],
    ["building the (id, sendTime) index", "unique index"],
    ["validating the bound", "bound validated"],
  ] as const) {
    it(`interrupted after ${step}`, async () => {
      await deliver(`before-${step}`, NOW);
      const interrupt = new AbortController();
      const steps: string[] = [];
      const run = partitionVideoEvents(db.pool, {
        now: NOW,
        signal: interrupt.signal,
        onStep: async (s) => {
          steps.push(s);
          if (!s.startsWith(after)) return;
          // The check is in force now: a video past the bound is not refused as bad data (which the
          // receiver would answer 400) but fails as the database being unavailable: it is spooled.
          expect(await boundCheckPresent()).toBe(true);
          const refused = await receiveDelivery(db.client, envelope(`past-bound-${step}`, new Date("2031-01-01T00:00:00Z"))).catch((err) => err);
          expect(constraintOf(refused)).toBe("video_events_partition_bound");
          expect(deliveryFailure(refused)).toBe("retry");
          interrupt.abort(new Error("SIGINT"));
        },
      });
      await expect(run).rejects.toThrow("SIGINT");
      expect(steps.at(-1)).toMatch(/as it was/);
      await expectTableAsItWas(`after-${step}`);
    });
  }

  it("the swap giving up after its lock retries", async () => {
    const blocker = await db.pool.connect();
    onTestFinished(() => blocker.release());
    const run = partitionVideoEvents(db.pool, {
      now: NOW,
      lockTimeoutMs: 50,
      lockAttempts: 2,
      onStep: async (s) => {
        // A long reader holds the table just as the swap wants its exclusive lock.
        if (s.startsWith("bound validated")) await blocker.query("BEGIN; LOCK TABLE video_events IN ACCESS SHARE MODE");
        if (s.startsWith("conversion stopped")) await blocker.query("COMMIT");
      },
    });
    await expect(run).rejects.toMatchObject({ code: "55P03" });
    await expectTableAsItWas("after-swap-gave-up");
  });

  it("a failed step (the validation refused)", async () => {
    const run = partitionVideoEvents(db.pool, {
      now: NOW,
      onStep: async (s) => {
        // Someone drops the check under the conversion's feet: VALIDATE fails.
        if (s.startsWith("unique index")) await db.pool.query(`ALTER TABLE video_events DROP CONSTRAINT video_events_partition_bound`);
      },
    });
    await expect(run).rejects.toThrow(/does not exist/);
    await expectTableAsItWas("after-failed-step");
  });

  it("a conversion killed outright: its bound check is dropped by the app's minutely check, not while one runs", async () => {
    await db.pool.query(`ALTER TABLE video_events ADD CONSTRAINT video_events_partition_bound CHECK ("sendTime" < '2027-01-01') NOT VALID`);
    const running = await db.pool.connect();
    onTestFinished(() => running.release());
    await running.query(`SELECT pg_advisory_lock(hashtext('video_events partition conversion'))`);
    expect(await dropAbandonedConversion(db.pool)).toBe(false);
    await running.query(`SELECT pg_advisory_unlock(hashtext('video_events partition conversion'))`);
    expect(await dropAbandonedConversion(db.pool)).toBe(true);
    await expectTableAsItWas("after-abandoned");
  });
});

describe("partitioning video_events by month", () => {
  it("converts a table with history while callbacks keep arriving: none lost, none doubled, all announced", async () => {
    await seedVideos(db.pool, { videos: 3_000, now: NOW });
    const seeded = Number(await scalar(`SELECT count(*) FROM video_events`));

    const listener = await db.pool.connect();
    onTestFinished(() => listener.release());
    const announced = new Set<string>();
    listener.on("notification", (n) => n.payload?.split(",").forEach((id) => announced.add(id)));
    await listener.query("LISTEN video_events");

    // A provider delivering throughout, one callback in five a redelivery of an earlier one.
    let running = true;
    const stored: string[] = [];
    const failures: unknown[] = [];
    let sent = 0;
    const writer = (async () => {
      while (running) {
        const n = sent++;
        const message = n % 5 === 4 ? n - 3 : n;
        const result = await receiveDelivery(db.client, envelope(`live-${message}`, new Date(NOW.getTime() - (message % 500) * 60_000 - message)));
        if (result.outcome === "stored") stored.push(result.videoId!);
        else if (result.outcome !== "duplicate") failures.push(result);
      }
    })().catch((err) => failures.push(err));

    await waitFor("callbacks before the conversion", async () => stored.length >= 20);
    const steps: string[] = [];
    const storedAt: number[] = [];
    const report = await partitionVideoEvents(db.pool, {
      now: NOW,
      monthsAhead: 2,
      onStep: (s) => {
        steps.push(s);
        storedAt.push(stored.length);
      },
    });
    const afterSwap = stored.length;
    await waitFor("callbacks after the swap", async () => stored.length >= afterSwap + 20);
    running = false;
    await writer;
    // And during: between the bound check and the swap's end.
    expect(storedAt.at(-1)! - storedAt[0]).toBeGreaterThan(0);

    expect(failures).toEqual([]);
    expect(report).toEqual({
      converted: true,
      created: ["video_events_legacy", "video_events_y2026m12", "video_events_y2027m01", "video_events_default"],
    });
    expect(steps.at(-1)).toContain("partitioned");
    expect(await isPartitioned(db.pool)).toBe(true);
    // Callbacks went on before, during and after the swap.
    expect(stored.length).toBeGreaterThan(40);
    expect(Number(await scalar(`SELECT count(*) FROM video_events`))).toBe(seeded + stored.length);
    expect(await scalar(`SELECT count(*)::int FROM (SELECT 1 FROM video_events GROUP BY "instanceId", "messageKey" HAVING count(*) > 1) d`)).toBe(0);
    await expectSummariesToMatchRows();
    await waitFor("every stored video to be announced", async () => stored.every((id) => announced.has(id)), 10_000).catch(() => {});
    expect(stored.filter((id) => !announced.has(id))).toEqual([]);

    // The old table was adopted whole: its indexes were renamed, not rebuilt beside the old ones.
    const { rows: legacyIndexes } = await db.pool.query(
      `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       WHERE x.indrelid = 'video_events_legacy'::regclass ORDER BY 1`,
    );
    expect(legacyIndexes.map((r) => r.name)).toEqual([
      "video_events_legacy_conversation_idx", "video_events_legacy_duration_idx", "video_events_legacy_identity_key", "video_events_legacy_pkey",
      "video_events_legacy_received_idx", "video_events_legacy_robot_idx", "video_events_legacy_sender_idx", "video_events_legacy_size_idx",
      "video_events_legacy_time_idx",
    ]);
  });

  it("keeps every rule afterwards: identity, months in their partitions, live notices, summaries, lists", async () => {
    const old = await deliver("live-0", new Date(NOW.getTime()));
    expect(old.outcome).toBe("duplicate");
    expect(await partitionOf(old.videoId)).toBe("video_events_legacy");

    const december = await deliver("dec-1", new Date("2026-12-24T08:00:00Z"), "wxid_december");
    const march = await deliver("mar-1", new Date("2027-03-10T08:00:00Z"));
    expect(december.outcome).toBe("stored");
    expect(await partitionOf(december.videoId)).toBe("video_events_y2026m12");
    expect(await partitionOf(march.videoId)).toBe("video_events_default");
    expect((await deliver("dec-1", new Date("2026-12-24T08:00:00Z"))).outcome).toBe("duplicate");

    const page = await listVideos(db.client, { ...NO_FILTERS, fromWxId: "wxid_december" }, { limit: 10 });
    expect(page.items.map((v) => v.id)).toEqual([december.videoId]);
    const newest = await listVideos(db.client, NO_FILTERS, { limit: 2 });
    expect(newest.items.map((v) => v.id)).toEqual([march.videoId, december.videoId]);

    // What retention does: a DELETE through the parent reaches the summaries and the deliveries.
    await db.pool.query(`DELETE FROM video_events WHERE id = $1`, [december.videoId]);
    await expectSummariesToMatchRows();
    expect(await scalar(`SELECT count(*)::int FROM deliveries WHERE "videoEventId" = ${Number(december.videoId)}`)).toBe(0);
  });

  it("creates the months ahead as time goes by, moving what the default partition held for them", async () => {
    const before = await scalar(`SELECT count(*)::int FROM video_events`);
    const created = await ensureMonthlyPartitions(db.pool, { now: new Date("2027-03-15T00:00:00Z"), monthsAhead: 0 });
    expect(created).toEqual(["video_events_y2027m02", "video_events_y2027m03"]);
    expect(await scalar(`SELECT count(*)::int FROM video_events_default`)).toBe(0);
    expect(await scalar(`SELECT count(*)::int FROM video_events_y2027m03`)).toBe(1);
    expect(await scalar(`SELECT count(*)::int FROM video_events`)).toBe(before);
    await expectSummariesToMatchRows();
    expect(await ensureMonthlyPartitions(db.pool, { now: new Date("2027-03-15T00:00:00Z"), monthsAhead: 0 })).toEqual([]);
  });

  it("does nothing the second time", async () => {
    expect(await partitionVideoEvents(db.pool, { now: NOW, monthsAhead: 2 })).toEqual({ converted: false, created: [] });
  });
});
