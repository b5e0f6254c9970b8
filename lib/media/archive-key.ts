// The archive job's name and key, shared by the statement that stores a video (lib/ingest) and
// the archive itself: one job per video, which archives its video and its preview, however often
// it is queued. Per video, not per file: a job of its own for the preview cost a claim of the job,
// a lease and a completion of its own (docs/performance.md, "Archiving media").
export const ARCHIVE_TASK = "media_archive";

export function archiveJobKey(videoId: string): string {
  return `archive:${videoId}`;
}

/** archiveJobKey as SQL, for statements that queue the jobs of many videos; `videoId` is an SQL expression (a column). */
export function archiveJobKeySql(videoId: string): string {
  return `('archive:' || ${videoId})`;
}

/**
 * Whether the job `job` (graphile_worker.jobs) is the archive job of `videoId` (SQL expressions).
 * Jobs queued before the key was per video are keyed `archive:<id>:<kind>`: a server upgraded with
 * such jobs still queued runs them (the task archives the whole video), and the upkeep must not
 * take their items for items without a job.
 */
export function isArchiveJobOfSql(job: string, videoId: string): string {
  return `${job}.key IN ('archive:' || ${videoId}, 'archive:' || ${videoId} || ':video', 'archive:' || ${videoId} || ':preview')`;
}
