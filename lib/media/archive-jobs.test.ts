// The archive's worker and upkeep against a real PostgreSQL with graphile-worker's schema and
// the stand-in CDN: what the upkeep queues, in which order, and when it stops looking (one round
// at a time, runUpkeep); what the worker counts in /api/metrics; what the health says of it; how
// many statements archiving a file sends to the database.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { postVideo } from "../../test/support/example-video";
import { startStandInCdn, type StandInCdn } from "../../scripts/demo/cdn";
import { loadClips, videoEnvelope } from "../../scripts/demo/provider";
import { checkHealth } from "../health";
import { receiveDelivery } from "../ingest/store";
import { metrics } from "../metrics/registry";
import { runUpkeep, startArchiveWorker } from "./archive-jobs";
import { oldestPendingSeconds } from "./archive-state";
import { LocalStore } from "./store-local";

const db = useTestDatabase();

/** The keys of the archive jobs queued, by job key, with their priority. */
async function archiveJobs(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ key: string; priority: number }>(`SELECT key, priority FROM graphile_worker.jobs WHERE task_identifier = 'media_archive'`);
  return Object.fromEntries(rows.map((r) => [r.key, r.priority]));
}

async function archiveRows(): Promise<string[]> {
  const { rows } = await db.pool.query<{ item: string }>(`SELECT "videoEventId" || ':' || kind AS item FROM media_archive ORDER BY 1`);
  return rows.map((r) => r.item);
}

const itemsOf = (ids: string[]) => ids.flatMap((id) => [`${id}:preview`, `${id}:video`]).sort();

beforeEach(async () => {
  await db.pool.query(`TRUNCATE video_events, media_archive CASCADE`);
  await db.pool.query(`DELETE FROM graphile_worker._private_jobs`);
});

/** Videos as they were stored before archiving existed: no media_archive rows, no jobs. */
async function olderVideos(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(((await postVideo(db.client)) as { videoId: string }).videoId);
  await db.pool.query(`DELETE FROM media_archive`);
  await db.pool.query(`DELETE FROM graphile_worker._private_jobs`);
  return ids;
}

describe("the backfill of videos stored before archiving", () => {
  test("queues their video and preview (rows per file, one job per video) a batch per round, newest first, behind new arrivals, and stops looking once a round finds none", async () => {
    const ids = await olderVideos(5);
    const state = { backfilled: false };

    await runUpkeep(db.client, 2, state);
    expect(await archiveRows()).toEqual(itemsOf(ids.slice(3)));
    const jobs = await archiveJobs();
    expect(Object.keys(jobs).sort()).toEqual(ids.slice(3).map((id) => `archive:${id}`).sort());
    // Priority 10: a video arriving now (priority 0) is archived before the backlog of old ones.
    expect(new Set(Object.values(jobs))).toEqual(new Set([10]));

    await runUpkeep(db.client, 2, state);
    expect(await archiveRows()).toEqual(itemsOf(ids.slice(1)));
    await runUpkeep(db.client, 2, state);
    expect(await archiveRows()).toEqual(itemsOf(ids));
    expect(Object.keys(await archiveJobs())).toHaveLength(5);
    expect(state.backfilled).toBe(false);
    await runUpkeep(db.client, 2, state);
    expect(state.backfilled).toBe(true);
  });

  test("a video with a pending file but no job (its job ran out of attempts) gets its job again; one with a job, or with a per-file job of an older version, is left alone", async () => {
    const ids = await olderVideos(3);
    await runUpkeep(db.client, 10, { backfilled: false });
    // The first video's job is gone, as when graphile-worker gives up on a job; the third has the
    // per-file job an older version queued instead of its own.
    await db.pool.query(`DELETE FROM graphile_worker._private_jobs WHERE key = $1 OR key = $2`, [`archive:${ids[0]}`, `archive:${ids[2]}`]);
    await db.pool.query(`SELECT graphile_worker.add_job('media_archive', json_build_object('videoId', $1::text, 'kind', 'video'), job_key := 'archive:' || $1 || ':video')`, [ids[2]]);
    const before = await db.pool.query<{ id: string }>(`SELECT id::text FROM graphile_worker.jobs WHERE key = $1`, [`archive:${ids[1]}`]);
    await runUpkeep(db.client, 10, { backfilled: true });
    expect(Object.keys(await archiveJobs()).sort()).toEqual([`archive:${ids[0]}`, `archive:${ids[1]}`, `archive:${ids[2]}:video`].sort());
    const after = await db.pool.query<{ id: string }>(`SELECT id::text FROM graphile_worker.jobs WHERE key = $1`, [`archive:${ids[1]}`]);
    expect(after.rows.map((r) => r.id)).toEqual(before.rows.map((r) => r.id));
  });
});

describe("what the worker reports", () => {
  let cdn: StandInCdn;
  let dataDir: string;
  beforeAll(async () => {
    cdn = await startStandInCdn();
    dataDir = mkdtempSync(join(tmpdir(), "archive-jobs-"));
  });
  afterAll(async () => {
    await cdn.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A 20004 stored through the real receiver, which queues its video and preview. */
  async function arrived(cdnData: Record<string, unknown>): Promise<string> {
    const envelope = videoEnvelope(cdnData, { width: 160, height: 90, duration: 3, fromWxId: "wxid_jobs", conversationId: "S:wxid_jobs" });
    const result = await receiveDelivery(db.client, Buffer.from(JSON.stringify(envelope)));
    return (result as { videoId: string }).videoId;
  }

  const metricLines = async (prefix: string) => (await metrics.registry.metrics()).split("\n").filter((line) => line.startsWith(prefix));

  test("media_archive_total by kind and result, media_archive_lag_seconds per file archived, media_archive_backlog", async () => {
    const [clip] = loadClips();
    for (let i = 0; i < 2; i++) {
      const key = randomBytes(16);
      const video = cdn.publish(clip.video, { key });
      const preview = cdn.publish(clip.preview, { key });
      await arrived({ url: video.url, aes_key: key.toString("hex"), md5: video.md5, size: video.size, preview_img_url: preview.url, preview_img_size: preview.size });
    }
    // A link that answers 404 (expired), and no preview link at all (failed: no_link).
    await arrived({ url: cdn.expired(), md5: "0123456789abcdef0123456789abcdef", size: 1000 });
    await runUpkeep(db.client, 10, { backfilled: true });
    expect(await metricLines("media_archive_backlog ")).toEqual(["media_archive_backlog 6"]);

    const store = new LocalStore(dataDir);
    const worker = await startArchiveWorker({
      databaseUrl: db.url, concurrency: 2, maxAgeMs: 86_400_000, upkeepMs: 600_000,
      dataDir, allowedHosts: [cdn.hostEntry], maxBytes: 50 << 20, timeoutMs: 10_000, store,
    });
    try {
      for (const deadline = Date.now() + 60_000; ; ) {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM media_archive WHERE state = 'pending'`);
        if (rows[0].n === 0) break;
        if (Date.now() > deadline) throw new Error(`${rows[0].n} files still pending after 60 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await worker.upkeep();
    } finally {
      await worker.stop();
    }
    expect((await metricLines("media_archive_total{")).sort()).toEqual([
      'media_archive_total{kind="preview",result="archived"} 2',
      'media_archive_total{kind="preview",result="failed"} 1',
      'media_archive_total{kind="video",result="archived"} 2',
      'media_archive_total{kind="video",result="expired"} 1',
    ]);
    expect(await metricLines("media_archive_lag_seconds_count")).toEqual(["media_archive_lag_seconds_count 4"]);
    expect(await metricLines("media_archive_backlog ")).toEqual(["media_archive_backlog 0"]);
  });

  test("one job per video, backoff per file: each file retries on its own schedule, and the job comes back for the earliest", async () => {
    const [clip] = loadClips();
    const key = randomBytes(16);
    // Both links answer 503 once; the video has failed twice before, so its backoff is longer.
    const video = cdn.publish(clip.video, { key, failFirst: 1, failStatus: 503 });
    const preview = cdn.publish(clip.preview, { key, failFirst: 1, failStatus: 503 });
    const id = await arrived({ url: video.url, aes_key: key.toString("hex"), md5: video.md5, size: video.size, preview_img_url: preview.url, preview_img_size: preview.size });
    await db.pool.query(`UPDATE media_archive SET attempts = 2 WHERE "videoEventId" = $1 AND kind = 'video'`, [id]);
    const jobOf = async () =>
      (await db.pool.query<{ key: string; run_at: Date; locked: boolean }>(`SELECT key, run_at, locked_at IS NOT NULL AS locked FROM graphile_worker.jobs WHERE task_identifier = 'media_archive'`)).rows;
    const rowOf = async (kind: string) =>
      (await db.pool.query<{ state: string; attempts: number; next: Date | null }>(`SELECT state::text, attempts, "nextAttemptAt" AS next FROM media_archive WHERE "videoEventId" = $1 AND kind = $2::media_kind`, [id, kind])).rows[0];
    const waitUntil = async (what: string, ok: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 30_000; !(await ok()); ) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    expect((await jobOf()).map((j) => j.key)).toEqual([`archive:${id}`]);

    const worker = await startArchiveWorker({
      databaseUrl: db.url, concurrency: 2, maxAgeMs: 86_400_000, upkeepMs: 600_000,
      dataDir, allowedHosts: [cdn.hostEntry], maxBytes: 50 << 20, timeoutMs: 10_000, store: new LocalStore(dataDir),
    });
    try {
      // The first run: both fail, each pending with its own backoff (retryDelayMs: 2.5-5 s after
      // a first failure, 10-20 s after a third); the video's one job is queued for the earlier.
      await waitUntil("both files to have failed once", async () => (await rowOf("preview")).attempts === 1 && (await rowOf("video")).attempts === 3 && (await jobOf()).every((j) => !j.locked));
      const [p1, v1] = [await rowOf("preview"), await rowOf("video")];
      expect([p1.state, v1.state]).toEqual(["pending", "pending"]);
      const now = Date.now();
      expect(p1.next!.getTime() - now).toBeLessThanOrEqual(5000);
      expect(v1.next!.getTime() - now).toBeGreaterThan(8000);
      let jobs = await jobOf();
      expect(jobs.map((j) => [j.key, j.run_at.getTime()])).toEqual([[`archive:${id}`, p1.next!.getTime()]]);

      // The preview's retry comes (brought forward here, not waited for): the preview is archived,
      // the video, not due yet, is not fetched, and the job is queued again for the video's time.
      await db.pool.query(`UPDATE media_archive SET "nextAttemptAt" = now() WHERE "videoEventId" = $1 AND kind = 'preview'`, [id]);
      await db.pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`archive:${id}`]);
      await waitUntil("the preview to be archived", async () => (await rowOf("preview")).state === "archived");
      await waitUntil("the job to be queued again", async () => (await jobOf()).some((j) => !j.locked && j.run_at.getTime() === v1.next!.getTime()));
      expect(await rowOf("video")).toMatchObject({ state: "pending", attempts: 3 });
      expect(cdn.hits(video.url)).toBe(1);
      expect(cdn.hits(preview.url)).toBe(2);
      jobs = await jobOf();
      expect(jobs.map((j) => j.key)).toEqual([`archive:${id}`]);

      // And the video's turn.
      await db.pool.query(`UPDATE media_archive SET "nextAttemptAt" = now() WHERE "videoEventId" = $1 AND kind = 'video'`, [id]);
      await db.pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [`archive:${id}`]);
      await waitUntil("the video to be archived", async () => (await rowOf("video")).state === "archived");
      expect((await rowOf("video")).attempts).toBe(4);
      expect(cdn.hits(video.url)).toBe(2);
      await waitUntil("no job left", async () => (await jobOf()).length === 0);
    } finally {
      await worker.stop();
    }
  });

  test("the health's mediaArchive: degraded while a file has waited over 10 minutes, or while the store cannot be reached", async () => {
    const id = await arrived({ url: cdn.expired() });
    const spool = { spoolDepth: 0, spool: true as const };
    const health = (store: LocalStore) =>
      checkHealth(db.client, spool, { archive: { oldestPending: () => oldestPendingSeconds(db.client), storeReachable: () => store.check().then(() => true as const) } });
    const waited = (minutes: number) =>
      db.pool.query(`UPDATE media_archive SET "receivedAt" = now() - $2 * interval '1 minute' WHERE "videoEventId" = $1`, [id, minutes]);
    const store = new LocalStore(dataDir);

    await waited(9);
    expect(await health(store)).toMatchObject({ status: "ok", mediaArchive: "ok" });
    await waited(11);
    expect(await health(store)).toMatchObject({ status: "degraded", mediaArchive: "behind: a file has waited 11 min to be archived" });
    await db.pool.query(`UPDATE media_archive SET state = 'expired' WHERE "videoEventId" = $1`, [id]);
    expect(await health(store)).toMatchObject({ status: "ok", mediaArchive: "ok" });
    // A store whose folder cannot be made (a file stands where it should be).
    const blocked = join(dataDir, "blocked");
    writeFileSync(blocked, "");
    const unreachable = await health(new LocalStore(blocked));
    expect(unreachable.status).toBe("degraded");
    expect(unreachable.mediaArchive).toMatch(/^the media store cannot be reached: /);
    // Without MEDIA_ARCHIVE there is no block at all.
    expect(await checkHealth(db.client, spool)).not.toHaveProperty("mediaArchive");
  });

  // What archiving one file costs the database: the statements the worker sends (its own and
  // graphile-worker's), counted at the pg client. The bench (bench/archive.ts) found a fixed cost
  // per file; this keeps the count from creeping back up (docs/performance.md, archiving media).
  /** Counts every statement any pg client of this process sends while `fn` runs, by its first words. */
  async function countingStatements(fn: () => Promise<void>): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const original = pg.Client.prototype.query;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
      const text = typeof args[0] === "string" ? args[0] : (args[0]?.text ?? args[0]?.name ?? "?");
      const key = String(text).replace(/\s+/g, " ").trim().slice(0, 90);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (original as any).apply(this, args);
    } as typeof original;
    try {
      await fn();
    } finally {
      pg.Client.prototype.query = original;
    }
    return counts;
  }

  const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

  async function pendingFiles(): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM media_archive WHERE state = 'pending'`);
    return rows[0].n;
  }

  test("archiving a video and its preview costs the database a few statements per file", async () => {
    const [clip] = loadClips();
    const videos = 20;
    const workerOptions = {
      databaseUrl: db.url, concurrency: 4, maxAgeMs: 86_400_000, upkeepMs: 600_000,
      dataDir, allowedHosts: [cdn.hostEntry], maxBytes: 50 << 20, timeoutMs: 10_000, store: new LocalStore(dataDir),
    };
    // A worker's fixed cost (start, first upkeep, stop) with nothing to do, to subtract.
    const idle = await countingStatements(async () => {
      const worker = await startArchiveWorker(workerOptions);
      await worker.upkeep();
      await worker.stop();
    });
    for (let i = 0; i < videos; i++) {
      const key = randomBytes(16);
      const video = cdn.publish(clip.video, { key });
      const preview = cdn.publish(clip.preview, { key });
      const envelope = videoEnvelope(
        { url: video.url, aes_key: key.toString("hex"), md5: video.md5, size: video.size, preview_img_url: preview.url, preview_img_size: preview.size },
        { width: 160, height: 90, duration: 3, fromWxId: "wxid_trips", conversationId: "S:wxid_trips" },
      );
      await receiveDelivery(db.client, Buffer.from(JSON.stringify(envelope)));
    }
    const busy = await countingStatements(async () => {
      const worker = await startArchiveWorker(workerOptions);
      for (const deadline = Date.now() + 60_000; (await pendingFiles()) > 0; ) {
        if (Date.now() > deadline) throw new Error("files still pending after 60 s");
        await new Promise((r) => setTimeout(r, 50));
      }
      await worker.upkeep();
      await worker.stop();
    });
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM media_archive WHERE state = 'archived'`);
    expect(rows[0].n).toBe(videos * 2);
    // The polling of `pending()` above goes through the test's own pool: counted, and taken off.
    const polls = [...busy].filter(([k]) => k.startsWith("SELECT count(*)::int AS n FROM media_archive WHERE state = 'pending'")).reduce((n, [, v]) => n + v, 0);
    const perFile = (total(busy) - polls - total(idle)) / (videos * 2);
    const listing = [...busy].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}\t${k}`).join("\n");
    // 5 a video, 2.5 a file: graphile-worker's get_job and complete of the video's one job, one
    // claim of both files (which reads the event's links too), and the record of each outcome. It
    // was 6 a file (5.95 measured here: the links and the lag read by statements of their own),
    // then 4 (3.95: a job per file, each with its get_job, claim, record and complete; 2.45 since
    // one job per video), see docs/performance.md.
    expect(perFile, `statements per file archived: ${perFile.toFixed(2)} (idle worker ${total(idle)})\n${listing}`).toBeLessThanOrEqual(2.75);
  });
});
