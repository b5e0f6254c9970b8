// The archive's background work in one process: the job runner for the archive task (any
// instance runs any job, each once), and every 10 seconds the upkeep: jobs held by a fetch that
// died (kill -9, a lost machine) are set free once their lease has lapsed, items left pending
// without a job and videos stored before archiving existed are queued (newest first, a batch at
// a time while the backlog is short), and the backlog gauge is read.
import { createDb, createPool, Prisma, type Db } from "../db/client";
import type { TaskList } from "graphile-worker";
import { startJobRunner, type JobRunner } from "../jobs/runner";
import { errorSummary, log } from "../log";
import { metrics } from "../metrics/registry";
import { archiveVideo, LEASE_MS, type ArchiveOptions, type ArchiveOutcome } from "./archive";
import { ARCHIVE_TASK, archiveJobKey, archiveJobKeySql, isArchiveJobOfSql } from "./archive-key";
import type { MediaKind } from "./sniff";

export type ArchiveWorkerOptions = Omit<ArchiveOptions, "refetchFinal"> & {
  databaseUrl: string;
  concurrency: number;
  /** Upkeep every this often (10 s). */
  upkeepMs?: number;
  /** Videos queued per upkeep round by the backfill, while the backlog is under BACKFILL_BACKLOG. */
  backfillBatch?: number;
};

/** The backfill adds more only while fewer items than this wait. */
const BACKFILL_BACKLOG = 500;

export type ArchiveWorker = { stop: () => Promise<void>; upkeep: () => Promise<void> };

export async function startArchiveWorker(options: ArchiveWorkerOptions): Promise<ArchiveWorker> {
  // Its own connections: a fetch of a minute must not hold one of the pages' connections.
  const pool = createPool(options.databaseUrl, options.concurrency + 3);
  pool.on("connect", (client) => client.on("error", () => {}));
  // graphile-worker takes the pool itself; every statement of the archive's own goes through a Prisma Client on it.
  const db = createDb(pool);
  const archiveOptions: ArchiveOptions = { ...options };
  const tasks: TaskList = {
    // One job per video (jobs queued by an older version, one per file, carry a `kind`: they archive the whole video too).
    [ARCHIVE_TASK]: async (payload) => {
      const { videoId } = payload as { videoId: string };
      const run = await archiveVideo(db, videoId, archiveOptions);
      if ("state" in run) return;
      for (const [kind, outcome] of Object.entries(run.outcomes) as [MediaKind, ArchiveOutcome][]) {
        if (outcome.state === "busy" || outcome.state === "gone") continue;
        if (outcome.state === "archived") {
          if (outcome.fetched) {
            metrics.archiveTotal.inc({ kind, result: "archived" });
            metrics.archiveLag.observe(outcome.lagSeconds);
          }
          continue;
        }
        metrics.archiveTotal.inc({ kind, result: outcome.state === "pending" ? "retry" : outcome.state });
        if (outcome.state !== "pending") log.info({ videoId, kind, reason: outcome.error.reason }, `media archive: ${outcome.state}: ${outcome.error.message}`);
      }
      // A retry, another fetch's lease, an attempt not yet due: the video's job again, then.
      if (run.next) await requeue(db, videoId, run.next);
    },
  };
  let runner: JobRunner | null = null;
  try {
    runner = await startJobRunner(pool, tasks, { concurrency: options.concurrency });
  } catch (err) {
    await pool.end();
    throw err;
  }
  let stopping = false;
  let round: Promise<void> = Promise.resolve();
  const backfill = { backfilled: false };
  const upkeep = () => {
    round = round.then(() => runUpkeep(db, options.backfillBatch ?? 100, backfill)).catch((err) => log.warn({ err: errorSummary(err) }, "media archive upkeep failed; next round in 10 s"));
    return round;
  };
  void upkeep();
  const timer = setInterval(() => !stopping && void upkeep(), options.upkeepMs ?? 10_000);
  timer.unref();
  return {
    upkeep,
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await round;
      await runner?.stop().catch((err) => log.warn({ err: errorSummary(err) }, "media archive: job runner stop"));
      await db.$disconnect().catch(() => {});
      await pool.end();
    },
  };
}

/**
 * Queues the video's job for `runAt`. Called while that job runs: graphile-worker then adds a new
 * job under the key (the running one loses it), so it never replaces the run in progress. A crash
 * between the record of a retry and this leaves a pending file without a job, which the upkeep
 * queues again (step 2 below).
 */
async function requeue(db: Db, videoId: string, runAt: Date) {
  await db.$executeRaw`SELECT graphile_worker.add_job(${ARCHIVE_TASK}, json_build_object('videoId', ${videoId}::text),
                                                      run_at := ${runAt}::timestamptz, job_key := ${archiveJobKey(videoId)}, max_attempts := 5)`;
}

/** One round of upkeep; exported for the tests, which run it instead of waiting for the timer. */
export async function runUpkeep(db: Db, backfillBatch: number, state = { backfilled: false }): Promise<void> {
  // 1. Jobs whose worker died mid-fetch: locked for longer than a lease, while their item's lease
  //    has lapsed (a live fetch renews it every 10 s). graphile-worker itself would wait 4 hours.
  await db.$executeRaw`
    SELECT graphile_worker.force_unlock_workers(array_agg(DISTINCT j.locked_by))
    FROM graphile_worker.jobs j
    JOIN media_archive a ON ${Prisma.raw(isArchiveJobOfSql("j", `a."videoEventId"`))}
    WHERE j.task_identifier = ${ARCHIVE_TASK} AND j.locked_at < now() - ${LEASE_MS}::int * interval '1 millisecond'
      AND a.state = 'pending' AND (a."leaseUntil" IS NULL OR a."leaseUntil" < now())
    HAVING count(*) > 0`;
  const [{ n: backlog }] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM media_archive WHERE state = 'pending'`;
  metrics.archiveBacklog.set(backlog);
  if (backlog >= BACKFILL_BACKLOG) return;
  // 2. Videos with a pending file but no job (a job that ran out of attempts while the database
  //    was away, a retry whose queueing failed): their job queued again, newest first, for the
  //    earliest next attempt of their pending files.
  await db.$executeRaw`
    SELECT graphile_worker.add_job(${ARCHIVE_TASK}, json_build_object('videoId', a."videoEventId"::text),
                                   job_key := ${Prisma.raw(archiveJobKeySql(`a."videoEventId"`))}, max_attempts := 5, priority := 10,
                                   run_at := greatest(now(), a."nextAttemptAt"))
    FROM (SELECT a."videoEventId", min(a."nextAttemptAt") AS "nextAttemptAt", max(a."receivedAt") AS "receivedAt"
          FROM media_archive a WHERE state = 'pending' AND (a."leaseUntil" IS NULL OR a."leaseUntil" < now())
            AND NOT EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE ${Prisma.raw(isArchiveJobOfSql("j", `a."videoEventId"`))})
          GROUP BY a."videoEventId" ORDER BY max(a."receivedAt") DESC LIMIT ${backfillBatch}::int) a`;
  // 3. Videos stored before archiving (or while MEDIA_ARCHIVE was off): their rows and jobs, newest
  //    first, until a round finds none (then not again in this process: the search reads every video).
  if (state.backfilled) return;
  const queued = await db.$executeRaw`
    WITH todo AS (
      SELECT v.id, v."receivedAt", k.kind
      FROM (SELECT id, "receivedAt" FROM video_events v
            WHERE NOT EXISTS (SELECT 1 FROM media_archive a WHERE a."videoEventId" = v.id AND a.kind = 'video')
            ORDER BY id DESC LIMIT ${backfillBatch}::int) v
      CROSS JOIN (VALUES ('video'::media_kind), ('preview'::media_kind)) AS k(kind)
    ), rows AS (
      INSERT INTO media_archive ("videoEventId", kind, "receivedAt") SELECT id, kind, "receivedAt" FROM todo
      ON CONFLICT DO NOTHING RETURNING "videoEventId", kind
    )
    SELECT graphile_worker.add_job(${ARCHIVE_TASK}, json_build_object('videoId', "videoEventId"::text),
                                   job_key := ${Prisma.raw(archiveJobKeySql(`"videoEventId"`))}, max_attempts := 5, priority := 10)
    FROM (SELECT DISTINCT "videoEventId" FROM rows) r`;
  if (queued === 0) state.backfilled = true;
}
