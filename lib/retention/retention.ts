// Retention: with RETENTION_DAYS set, video events, deliveries and cached media received longer
// ago than that are deleted, at start and every hour. Deletes run in small batches, each its own
// short transaction with a pause between, so ingest never waits behind a long lock.
// Everything ages by receivedAt, when it reached this server: a provider's sendTime may be 0, or
// an example date years old, and such a video answered 200 must not vanish at the next pass.
// The summary tables and media_files follow through their delete triggers; cached files no row
// refers to any more are then removed (the media cache's own pruning).
import { config } from "../config";
import type { Db } from "../db/client";
import { pruneMediaFiles } from "../media/cache";
import type { MediaStore } from "../media/store";

/** Days of history kept, or null when everything is kept (RETENTION_DAYS unset). */
export function retentionPolicy(): number | null {
  return config().RETENTION_DAYS ?? null;
}

/** What the overview tells the user is kept. */
export function describeRetention(days: number | null): string {
  if (days === null) return "Keeping everything: set RETENTION_DAYS to delete older videos.";
  const span = days === 1 ? "day" : `${days} days`;
  return `Keeping the last ${span}: videos, deliveries and cached media received earlier are deleted every hour.`;
}

export type RetentionOptions = {
  days: number;
  /** Where kept media live: objects no video refers to any more are removed from it. */
  store: MediaStore;
  batchSize?: number;
  /** Pause between batches. */
  pauseMs?: number;
  now?: Date;
  /** Stops between batches (shutdown). */
  signal?: AbortSignal;
};

export type RetentionResult = { videoEvents: number; deliveries: number; mediaFiles: number; cutoff: Date };

export async function runRetention(db: Db, options: RetentionOptions): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.days * 86_400_000);
  const batch = options.batchSize ?? 5000;
  const pause = options.pauseMs ?? 50;
  const deleteOlder = (table: string) =>
    deleteInBatches(
      db,
      `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE "receivedAt" < $1 ORDER BY "receivedAt" LIMIT $2)`,
      cutoff,
      batch,
      pause,
      options.signal,
    );
  const deliveries = await deleteOlder("deliveries");
  const videoEvents = await deleteOlder("video_events");
  const mediaFiles = options.signal?.aborted ? 0 : await pruneMediaFiles(db, options.store);
  return { videoEvents, deliveries, mediaFiles, cutoff };
}

async function deleteInBatches(db: Db, sql: string, cutoff: Date, batch: number, pause: number, signal?: AbortSignal): Promise<number> {
  let total = 0;
  while (!signal?.aborted) {
    const deleted = await db.$executeRawUnsafe(sql, cutoff, batch);
    total += deleted;
    if (deleted < batch) return total;
    await new Promise((r) => setTimeout(r, pause));
  }
  return total;
}

/** Runs retention now and every `everyMs` (an hour); returns a stop function. */
export function scheduleRetention(
  db: Db,
  options: RetentionOptions & { everyMs?: number; onResult?: (r: RetentionResult) => void; onError?: (e: unknown) => void },
): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const stop = new AbortController();
  const run = () => {
    if (stop.signal.aborted) return;
    running = running
      .then(() => runRetention(db, { ...options, now: undefined, signal: stop.signal }))
      .then(options.onResult, options.onError);
  };
  run();
  const timer = setInterval(run, options.everyMs ?? 3_600_000);
  timer.unref();
  return async () => {
    stop.abort();
    clearInterval(timer);
    await running;
  };
}
