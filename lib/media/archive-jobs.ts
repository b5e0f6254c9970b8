// The archive's background work in one process: the job runner for the archive task (any
// instance runs any job, each once), and every 10 seconds the upkeep: jobs held by a fetch that
// died (kill -9, a lost machine) are set free once their lease has lapsed, items left pending
// without a job and videos stored before archiving existed are queued (newest first, a batch at
// a time while the backlog is short), and the backlog gauge is read.
import { createDb, createPool, type Db } from "../db/client";
import type { TaskList } from "graphile-worker";
import { startJobRunner, type JobRunner } from "../jobs/runner";
import { errorSummary, log } from "../log";
import { metrics } from "../metrics/registry";
import { archiveItem, LEASE_MS, type ArchiveOptions } from "./archive";
import { ARCHIVE_TASK, archiveJobKey } from "./archive-key";
import type { MediaKind } from "./sniff";

export type ArchiveWorkerOptions = Omit<ArchiveOptions, "requeue" | "refetchFinal"> & {
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
  const archiveOptions: ArchiveOptions = { ...options, requeue: true };
  const tasks: TaskList = {
    [ARCHIVE_TASK]: async (payload) => {
      const { videoId, kind } = payload as { videoId: string; kind: MediaKind };
      const outcome = await archiveItem(db, videoId, kind, archiveOptions);
      if (outcome.state === "busy") {
        // Another fetch holds it: look again when its lease ends (it renews while it works).
        await requeue(db, videoId, kind, new Date(outcome.until.getTime() + 1000));
        return;
      }
      if (outcome.state === "gone") return;
      if (outcome.state === "archived") {
        if (outcome.fetched) {
          metrics.archiveTotal.inc({ kind, result: "archived" });
          metrics.archiveLag.observe(outcome.lagSeconds);
        }
        return;
      }
      metrics.archiveTotal.inc({ kind, result: outcome.state === "pending" ? "retry" : outcome.state });
      if (outcome.state !== "pending") log.info({ videoId, kind, reason: outcome.error.reason }, `media archive: ${outcome.state}: ${outcome.error.message}`);
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

async function requeue(db: Db, videoId: string, kind: MediaKind, runAt: Date) {
  await db.$executeRaw`SELECT graphile_worker.add_job(${ARCHIVE_TASK}, json_build_object('videoId', ${videoId}::text, 'kind', ${kind}::text),
                                                      run_at := ${runAt}::timestamptz, job_key := ${archiveJobKey(videoId, kind)}, max_attempts := 5)`;
}

/** One round of upkeep; exported for the tests, which run it instead of waiting for the timer. */
export async function runUpkeep(db: Db, backfillBatch: number, state = { backfilled: false }): Promise<void> {
  // 1. Jobs whose worker died mid-fetch: locked for longer than a lease, while their item's lease
  //    has lapsed (a live fetch renews it every 10 s). graphile-worker itself would wait 4 hours.
  await db.$executeRaw`
    SELECT graphile_worker.force_unlock_workers(array_agg(DISTINCT j.locked_by))
    FROM graphile_worker.jobs j
    JOIN media_archive a ON j.key = 'archive:' || a."videoEventId" || ':' || a.kind
    WHERE j.task_identifier = ${ARCHIVE_TASK} AND j.locked_at < now() - ${LEASE_MS}::int * interval '1 millisecond'
      AND a.state = 'pending' AND (a."leaseUntil" IS NULL OR a."leaseUntil" < now())
    HAVING count(*) > 0`;
  const [{ n: backlog }] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM media_archive WHERE state = 'pending'`;
  metrics.archiveBacklog.set(backlog);
  if (backlog >= BACKFILL_BACKLOG) return;
  // 2. Pending items with no job (a job that ran out of attempts while the database was away, a
  //    retry whose queueing failed): queued again, newest first.
  await db.$executeRaw`
    SELECT graphile_worker.add_job(${ARCHIVE_TASK}, json_build_object('videoId', a."videoEventId"::text, 'kind', a.kind::text),
                                   job_key := 'archive:' || a."videoEventId" || ':' || a.kind, max_attempts := 5, priority := 10,
                                   run_at := greatest(now(), a."nextAttemptAt"))
    FROM (SELECT * FROM media_archive a WHERE state = 'pending' AND (a."leaseUntil" IS NULL OR a."leaseUntil" < now())
            AND NOT EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE j.key = 'archive:' || a."videoEventId" || ':' || a.kind)
          ORDER BY "receivedAt" DESC LIMIT ${backfillBatch * 2}::int) a`;
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
    SELECT graphile_worker.add_job(${ARCHIVE_TASK}, json_build_object('videoId', "videoEventId"::text, 'kind', kind::text),
                                   job_key := 'archive:' || "videoEventId" || ':' || kind, max_attempts := 5, priority := 10)
    FROM rows`;
  if (queued === 0) state.backfilled = true;
}
