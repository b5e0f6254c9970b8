// What the archive says about a video's files, for the API and the pages; and the retry of
// those whose archiving ended (expired, failed).
import type { Db } from "../db/client";
import { rawRows } from "./raw-sql";
import { isBigintId } from "../shared/paging";
import { ARCHIVE_TASK, archiveJobKey } from "./archive-key";
import type { MediaKind } from "./sniff";

export type ArchiveStatus =
  | { state: "pending"; attempts: number; nextAttemptAt: string | null; reason: string | null; error: string | null }
  | { state: "archived"; bytes: number; sha256: string; contentType: string; archivedAt: string | null; attempts: number }
  | { state: "expired" | "failed"; reason: string | null; error: string | null; attempts: number; at: string };

/** Per kind; null for a kind never queued (a video stored while MEDIA_ARCHIVE was off, not viewed yet). */
export type VideoArchive = Record<MediaKind, ArchiveStatus | null>;

type Row = {
  kind: MediaKind;
  state: ArchiveStatus["state"];
  attempts: number;
  nextAttemptAt: Date | null;
  reason: string | null;
  error: string | null;
  archivedAt: Date | null;
  updatedAt: Date;
  sha256: string | null;
  contentType: string | null;
  bytes: number | null;
};

export async function videoArchive(db: Db, videoId: string): Promise<VideoArchive> {
  const result: VideoArchive = { video: null, preview: null };
  if (!isBigintId(videoId)) return result;
  const rows = await rawRows<Row>(db, `SELECT a.kind::text AS kind, a.state::text AS state, a.attempts, a."nextAttemptAt", a.reason, a.error, a."archivedAt", a."updatedAt",
            f.sha256, f."contentType", f.bytes::float8 AS bytes
     FROM media_archive a LEFT JOIN media_files f ON f."videoEventId" = a."videoEventId" AND f.kind = a.kind
     WHERE a."videoEventId" = $1::bigint`,
    [videoId],
  );
  for (const r of rows) result[r.kind] = toStatus(r);
  return result;
}

function toStatus(r: Row): ArchiveStatus {
  if (r.state === "archived" && r.sha256) {
    return { state: "archived", bytes: r.bytes ?? 0, sha256: r.sha256, contentType: r.contentType ?? "", archivedAt: r.archivedAt?.toISOString() ?? null, attempts: r.attempts };
  }
  if (r.state === "expired" || r.state === "failed") {
    return { state: r.state, reason: r.reason, error: r.error, attempts: r.attempts, at: r.updatedAt.toISOString() };
  }
  return { state: "pending", attempts: r.attempts, nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null, reason: r.reason, error: r.error };
}

export type RetryResult = { kind: "not_found" } | { kind: "nothing_to_retry" } | { kind: "queued"; kinds: MediaKind[] };

/**
 * Queues the video's expired or failed files again (POST /api/videos/<id>/archive): their state
 * becomes pending and the video's job is added (one for its files), in one statement. Archived and
 * pending ones are left.
 */
export async function retryArchive(db: Db, videoId: string): Promise<RetryResult> {
  if (!isBigintId(videoId)) return { kind: "not_found" };
  const rows = await rawRows<{ kind: MediaKind }>(db, `WITH retried AS (
       UPDATE media_archive SET state = 'pending', reason = NULL, error = NULL, "nextAttemptAt" = NULL, "leaseUntil" = NULL, "updatedAt" = now()
       WHERE "videoEventId" = $1::bigint AND state IN ('expired', 'failed')
       RETURNING kind
     ), queued AS (
       SELECT graphile_worker.add_job($2::text, json_build_object('videoId', $1::text), job_key := $3::text, max_attempts := 5) IS NOT NULL AS queued
       WHERE EXISTS (SELECT 1 FROM retried)
     )
     SELECT kind::text AS kind FROM retried CROSS JOIN (SELECT count(*) FROM queued) AS q ORDER BY kind`,
    [videoId, ARCHIVE_TASK, archiveJobKey(videoId)],
  );
  if (rows.length > 0) return { kind: "queued", kinds: rows.map((r) => r.kind) };
  const exists = await db.videoEvent.findUnique({ where: { id: BigInt(videoId) }, select: { id: true } });
  return exists ? { kind: "nothing_to_retry" } : { kind: "not_found" };
}

export type ArchiveCounts = Record<"pending" | "archived" | "expired" | "failed", number>;

/** Videos by the archive state of their video file (the overview's counts). */
export async function archiveCounts(db: Db): Promise<ArchiveCounts> {
  const counts: ArchiveCounts = { pending: 0, archived: 0, expired: 0, failed: 0 };
  const rows = await rawRows<{ state: keyof ArchiveCounts; n: number }>(db, `SELECT state::text AS state, count(*)::int AS n FROM media_archive WHERE kind = 'video' GROUP BY state`, []);
  for (const r of rows) counts[r.state] = r.n;
  return counts;
}

/** Seconds the oldest pending item has waited since its video arrived, or null when none waits. */
export async function oldestPendingSeconds(db: Db): Promise<number | null> {
  const rows = await rawRows<{ s: number | null }>(db, `SELECT extract(epoch FROM now() - min("receivedAt"))::float8 AS s FROM media_archive WHERE state = 'pending'`, []);
  return rows[0]?.s ?? null;
}
