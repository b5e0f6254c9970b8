// Archiving one video's video or preview: its CDN link fetched through the guarded fetch,
// decrypted and verified on the way to a file on disk, stored under its sha256 in the media
// store, and the outcome recorded in media_archive (and media_files). The archive job
// (archive-jobs.ts) and a view of a file not yet kept (fetch-queue.ts) both come here.
// One fetch across instances: the item is leased in media_archive while it is fetched.
import { rm } from "node:fs/promises";
import type { Db } from "../db/client";
import { rawExecute, rawRows } from "./raw-sql";
import type { MediaOptions, StoredMedia } from "./cache";
import { tempPath } from "./cache";
import { MEDIA_FAILURE_KIND, MediaError, type MediaFailure } from "./errors";
import { fetchStream } from "./fetch-guard";
import type { MediaKind } from "./sniff";
import { expectationsFor, MEDIA_SOURCE_COLUMNS, mediaSourceOf, type MediaSource, type MediaSourceRow } from "./source";
import { CDN_DATA_LATERAL } from "../shared/cdn-strings";
import { verifyInto } from "./verify";


/** How long a fetch holds its item; renewed every third of it, so a dead holder's lease ends this long after it died. */
export const LEASE_MS = 30_000;

export type ArchiveOutcome =
  /** `lagSeconds`: from the video's arrival to this archiving, when this call fetched it. */
  | { state: "archived"; media: StoredMedia; fetched: false }
  | { state: "archived"; media: StoredMedia; fetched: true; lagSeconds: number }
  | { state: "expired" | "failed"; error: MediaError }
  /** A retryable failure: the next attempt is due at `retryAt`. */
  | { state: "pending"; error: MediaError; retryAt: Date }
  /** Another fetch (here or on another instance) holds the item until `until`. */
  | { state: "busy"; until: Date }
  /** The video is gone (deleted while queued). */
  | { state: "gone" };

export type ArchiveOptions = MediaOptions & {
  /** Retries stop this long after the video arrived. */
  maxAgeMs: number;
  /** Fetch even when a final outcome (expired, failed) is recorded: views with MEDIA_ARCHIVE=off ask the CDN again, as they always did. */
  refetchFinal?: boolean;
};

/** Reasons that are worth another attempt: the CDN or the store may answer later. */
export function isRetryable(error: MediaError): boolean {
  if (error.reason === "timeout" || error.reason === "store_unavailable") return true;
  if (error.reason !== "upstream_failed") return false;
  const status = error.upstreamStatus;
  // Network errors carry no status; of the statuses, 408, 429 and 5xx are temporary.
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** Exponential backoff with jitter: 5 s, 10 s, 20 s ... capped at an hour (30 s while the store is down), each 50 to 100 % of it. */
export function retryDelayMs(attempts: number, error: MediaError, random = Math.random): number {
  const cap = error.reason === "store_unavailable" ? 30_000 : 3_600_000;
  const ceiling = Math.min(cap, 5000 * 2 ** Math.min(Math.max(attempts - 1, 0), 20));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/** What the archive job did with each of a video's files; `next`: when the job must run again, if it must. */
export type VideoArchiveRun = { outcomes: Partial<Record<MediaKind, ArchiveOutcome>>; next: Date | null } | { state: "gone" };

/**
 * The archive job's work for one video: its files that are pending and due (no lease held, no
 * later attempt scheduled) are claimed together in one statement, then fetched one after the
 * other (the preview first: small, and the cards wait for it) and each outcome recorded as it
 * comes. A retryable failure is recorded as pending with its own next attempt (backoff per file);
 * `next` is the earliest moment any of the video's files wants the job again (its retry, the end
 * of another fetch's lease, an attempt not yet due), which the caller queues under the video's one
 * job key. Fetches at most one file at a time, so MEDIA_ARCHIVE_CONCURRENCY bounds the fetches.
 */
export async function archiveVideo(db: Db, videoId: string, options: ArchiveOptions): Promise<VideoArchiveRun> {
  const rows = await claimVideo(db, videoId);
  if (rows.length === 0) return { state: "gone" };
  const outcomes: Partial<Record<MediaKind, ArchiveOutcome>> = {};
  let next: Date | null = null;
  const later = (at: Date) => (next = next && next <= at ? next : at);
  const claimed = rows.filter((r) => r.claimed).sort((a, b) => (a.kind === "preview" ? -1 : b.kind === "preview" ? 1 : 0));
  for (const r of rows) {
    if (r.claimed || r.state !== "pending") continue;
    // Held by a fetch elsewhere (a view, another instance): look again when its lease ends.
    if (r.leaseUntil && r.leaseUntil.getTime() > Date.now()) {
      outcomes[r.kind] = { state: "busy", until: r.leaseUntil };
      later(new Date(r.leaseUntil.getTime() + 1000));
    } else if (r.nextAttemptAt) later(r.nextAttemptAt);
  }
  if (claimed.length === 0) return { outcomes, next };
  const inFlight = new Set(claimed.map((r) => r.kind));
  const renew = setInterval(() => void renewLeases(db, videoId, [...inFlight]).catch(() => {}), LEASE_MS / 3);
  renew.unref();
  try {
    const source = mediaSourceOf(claimed[0]);
    for (const r of claimed) {
      let outcome: ArchiveOutcome;
      try {
        const media = await fetchAndStore(source, r.kind, options);
        outcome = { state: "archived", media, fetched: true, lagSeconds: await recordArchived(db, videoId, r.kind, media, "cdn", 1) };
      } catch (err) {
        if (!(err instanceof MediaError)) {
          await releaseLeases(db, videoId, [...inFlight]).catch(() => {});
          throw err;
        }
        // Deleted meanwhile: its rows went with it.
        if (err.reason === "not_found") return { state: "gone" };
        outcome = await recordFailure(db, videoId, r.kind, err, r, options, true);
        if (outcome.state === "pending") later(outcome.retryAt);
      }
      inFlight.delete(r.kind);
      outcomes[r.kind] = outcome;
    }
    return { outcomes, next };
  } finally {
    clearInterval(renew);
  }
}

type VideoClaimRow = { kind: MediaKind; claimed: boolean; state: string; attempts: number; receivedAt: Date; leaseUntil: Date | null; nextAttemptAt: Date | null } & MediaSourceRow;

/**
 * Leases every file of the video that is pending, free and due, and reads, in the same statement,
 * every file's row (claimed or not) and the links of its event. No rows: the video is gone.
 */
async function claimVideo(db: Db, videoId: string): Promise<VideoClaimRow[]> {
  return rawRows<VideoClaimRow>(db, `WITH claimed AS (
       UPDATE media_archive SET "leaseUntil" = now() + $2::int * interval '1 millisecond'
       WHERE "videoEventId" = $1::bigint AND state = 'pending' AND ("leaseUntil" IS NULL OR "leaseUntil" < now())
         AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= now())
       RETURNING kind
     )
     SELECT a.kind::text AS kind, c.kind IS NOT NULL AS claimed, a.state::text AS state, a.attempts, a."receivedAt", a."leaseUntil", a."nextAttemptAt",
            ${MEDIA_SOURCE_COLUMNS}
     FROM media_archive a LEFT JOIN claimed c ON c.kind = a.kind
       JOIN video_events ON video_events.id = a."videoEventId" CROSS JOIN ${CDN_DATA_LATERAL}
     WHERE a."videoEventId" = $1::bigint`,
    [videoId, LEASE_MS],
  );
}

async function renewLeases(db: Db, videoId: string, kinds: MediaKind[]) {
  await rawExecute(db,
    `UPDATE media_archive SET "leaseUntil" = now() + $3::int * interval '1 millisecond' WHERE "videoEventId" = $1::bigint AND kind = ANY($2::media_kind[])`,
    [videoId, kinds, LEASE_MS],
  );
}

async function releaseLeases(db: Db, videoId: string, kinds: MediaKind[]) {
  await rawExecute(db, `UPDATE media_archive SET "leaseUntil" = NULL WHERE "videoEventId" = $1::bigint AND kind = ANY($2::media_kind[])`, [videoId, kinds]);
}

/** Fetches, verifies and stores the video's `kind` unless it is kept already; records the outcome (a view's fetch). */
export async function archiveItem(db: Db, videoId: string, kind: MediaKind, options: ArchiveOptions): Promise<ArchiveOutcome> {
  const claim = await claimItem(db, videoId, kind);
  if (!claim) return { state: "gone" };
  if (claim.holder === "other") return { state: "busy", until: claim.leaseUntil };
  const renew = setInterval(() => void renewLease(db, videoId, kind).catch(() => {}), LEASE_MS / 3);
  renew.unref();
  try {
    if ((claim.state === "expired" || claim.state === "failed") && !options.refetchFinal) {
      // Final: only a retry (POST /api/videos/<id>/archive, which sets it pending) fetches it again.
      await releaseLease(db, videoId, kind);
      return { state: claim.state, error: recordedFailure(claim.reason, claim.error) };
    }
    if (claim.state === "archived") {
      const kept = await keptMedia(db, videoId, kind, options);
      if (kept) {
        await releaseLease(db, videoId, kind);
        return { state: "archived", media: kept, fetched: false };
      }
    }
    let media: StoredMedia;
    try {
      media = await fetchAndStore(claim.source, kind, options);
    } catch (err) {
      if (!(err instanceof MediaError)) {
        await releaseLease(db, videoId, kind).catch(() => {});
        throw err;
      }
      if (err.reason === "not_found") return { state: "gone" };
      return await recordFailure(db, videoId, kind, err, claim, options, false);
    }
    const lagSeconds = await recordArchived(db, videoId, kind, media, "cdn", 1);
    return { state: "archived", media, fetched: true, lagSeconds };
  } finally {
    clearInterval(renew);
  }
}

/** The kept file of (video, kind) when media_files names one and the store still holds it. */
export async function keptMedia(db: Db, videoId: string, kind: MediaKind, options: Pick<MediaOptions, "store">): Promise<StoredMedia | null> {
  const rows = await rawRows<StoredMedia>(db, `SELECT sha256, "contentType", bytes::float8 AS bytes FROM media_files WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`,
    [videoId, kind],
  );
  if (!rows[0]) return null;
  // Another instance may share the database but not this disk, or the file was removed or damaged: fetch again.
  return (await options.store.stat(rows[0].sha256)) ? rows[0] : null;
}

async function fetchAndStore(source: MediaSource, kind: MediaKind, options: MediaOptions): Promise<StoredMedia> {
  const link = kind === "video" ? source.cdnUrl : source.cdnPreviewUrl;
  if (!link) throw new MediaError("no_link", `this video's payload has no ${kind === "video" ? "video" : "preview"} link`);
  const expected = expectationsFor(source, kind, options.maxBytes);
  if (expected.announced && expected.announced > options.maxBytes) {
    throw new MediaError("too_large", `the ${kind} is announced at ${expected.announced} bytes, over MEDIA_MAX_BYTES (${options.maxBytes})`);
  }
  const plain = await tempPath(options.dataDir);
  try {
    // CDN -> (decipher) -> file, hashed on the way; the file then goes to the store under its sha256.
    const { result: verified } = await fetchStream(link, { allowedHosts: options.allowedHosts, maxBytes: expected.maxBytes, timeoutMs: options.timeoutMs }, (body, signal) =>
      verifyInto(body, expected, plain, signal),
    );
    await options.store.putFile(verified.sha256, plain, { contentType: verified.contentType, bytes: verified.bytes });
    return verified;
  } finally {
    await rm(plain, { force: true });
  }
}

type Claim =
  | { holder: "me"; state: string; attempts: number; receivedAt: Date; reason: string | null; error: string | null; source: MediaSource }
  | { holder: "other"; leaseUntil: Date };

type ClaimRow = { state: string; attempts: number; receivedAt: Date; reason: string | null; error: string | null } & MediaSourceRow;

/**
 * Takes the item's lease (creating its row for a video stored without one), unless a live
 * lease is held by another fetch, and reads what the video's event says about its media, in one
 * statement. Null when the video does not exist.
 */
async function claimItem(db: Db, videoId: string, kind: MediaKind): Promise<Claim | null> {
  const rows = await rawRows<ClaimRow>(db, `WITH claimed AS (
       INSERT INTO media_archive ("videoEventId", kind, "receivedAt", "leaseUntil")
       SELECT id, $2::media_kind, "receivedAt", now() + $3::int * interval '1 millisecond' FROM video_events WHERE id = $1::bigint
       ON CONFLICT ("videoEventId", kind) DO UPDATE SET "leaseUntil" = EXCLUDED."leaseUntil"
         WHERE media_archive."leaseUntil" IS NULL OR media_archive."leaseUntil" < now()
       RETURNING "videoEventId", state::text AS state, attempts, "receivedAt", reason, error
     )
     SELECT c.state, c.attempts, c."receivedAt", c.reason, c.error, ${MEDIA_SOURCE_COLUMNS}
     FROM claimed c JOIN video_events ON video_events.id = c."videoEventId" CROSS JOIN ${CDN_DATA_LATERAL}`,
    [videoId, kind, LEASE_MS],
  );
  if (rows[0]) {
    const { state, attempts, receivedAt, reason, error } = rows[0];
    return { holder: "me", state, attempts, receivedAt, reason, error, source: mediaSourceOf(rows[0]) };
  }
  const held = await rawRows<{ leaseUntil: Date | null }>(db, `SELECT "leaseUntil" FROM media_archive WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`,
    [videoId, kind],
  );
  if (!held[0]) return null;
  return { holder: "other", leaseUntil: held[0].leaseUntil ?? new Date() };
}

async function renewLease(db: Db, videoId: string, kind: MediaKind) {
  await rawExecute(db, 
    `UPDATE media_archive SET "leaseUntil" = now() + $3::int * interval '1 millisecond' WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`,
    [videoId, kind, LEASE_MS],
  );
}

async function releaseLease(db: Db, videoId: string, kind: MediaKind) {
  await rawExecute(db, `UPDATE media_archive SET "leaseUntil" = NULL WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`, [videoId, kind]);
}

/**
 * Records the kept file: media_files names it and media_archive says archived, in one statement.
 * Throws not_found when the video was deleted meanwhile. Returns the seconds from the video's
 * arrival to now (media_archive_lag_seconds), so that no other statement has to read them.
 */
export async function recordArchived(db: Db, videoId: string, kind: MediaKind, media: StoredMedia, source: "cdn" | "upload", attempts: number): Promise<number> {
  const rows = await rawRows<{ lag: number }>(db, `WITH file AS (
       INSERT INTO media_files ("videoEventId", kind, sha256, "contentType", bytes, source)
       SELECT id, $2::media_kind, $3::text, $4::text, $5::bigint, $6::media_source FROM video_events WHERE id = $1::bigint
       ON CONFLICT ("videoEventId", kind) DO UPDATE
         SET sha256 = EXCLUDED.sha256, "contentType" = EXCLUDED."contentType", bytes = EXCLUDED.bytes,
             source = EXCLUDED.source, "storedAt" = now()
       RETURNING "videoEventId"
     )
     INSERT INTO media_archive ("videoEventId", kind, state, attempts, "receivedAt", "archivedAt", "updatedAt")
     SELECT v.id, $2::media_kind, 'archived', $7::int, v."receivedAt", now(), now() FROM video_events v JOIN file f ON f."videoEventId" = v.id
     ON CONFLICT ("videoEventId", kind) DO UPDATE
       SET state = 'archived', attempts = media_archive.attempts + $7::int, reason = NULL, error = NULL, "nextAttemptAt" = NULL,
           "leaseUntil" = NULL, "archivedAt" = now(), "updatedAt" = now()
     RETURNING extract(epoch FROM "archivedAt" - "receivedAt")::float8 AS lag`,
    [videoId, kind, media.sha256, media.contentType, media.bytes, source, attempts],
  );
  if (!rows[0]) throw new MediaError("not_found", `no video with id ${JSON.stringify(videoId.slice(0, 40))}`);
  return rows[0].lag;
}

/**
 * A failed attempt: final ones (expired, failed) are recorded; a retryable one too when it comes
 * from the archive job (`pending`, its next attempt at the backoff's time; the job is queued for it
 * by the caller), and becomes `failed` once MEDIA_ARCHIVE_MAX_AGE has passed since the video
 * arrived. A view's retryable failure records nothing but frees the item.
 */
async function recordFailure(
  db: Db,
  videoId: string,
  kind: MediaKind,
  error: MediaError,
  claim: { attempts: number; receivedAt: Date },
  options: ArchiveOptions,
  fromJob: boolean,
): Promise<ArchiveOutcome> {
  const attempts = claim.attempts + 1;
  let outcome: ArchiveOutcome;
  if (!isRetryable(error)) {
    outcome = { state: error.reason === "link_expired" ? "expired" : "failed", error };
  } else {
    const retryAt = new Date(Date.now() + retryDelayMs(attempts, error));
    outcome = retryAt.getTime() > claim.receivedAt.getTime() + options.maxAgeMs ? { state: "failed", error } : { state: "pending", error, retryAt };
  }
  if (outcome.state === "pending" && !fromJob) {
    await releaseLease(db, videoId, kind);
    return outcome;
  }
  const retryAt = outcome.state === "pending" ? outcome.retryAt : null;
  await rawExecute(db,
    `UPDATE media_archive SET state = $3::archive_state, attempts = attempts + 1, reason = $4::text, error = $5::text, "nextAttemptAt" = $6::timestamptz,
            "leaseUntil" = NULL, "updatedAt" = now()
     WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`,
    [videoId, kind, outcome.state, error.reason, error.message.slice(0, 500), retryAt?.toISOString() ?? null],
  );
  return outcome;
}

/** Records that (video, kind) is the kept file `media` (and archived), counting no attempt. */
export async function recordMedia(db: Db, videoId: string, kind: MediaKind, media: StoredMedia, source: "cdn" | "upload") {
  await recordArchived(db, videoId, kind, media, source, 0);
}

/** What a recorded final failure says, as the error a view answers with. */
export function recordedFailure(reason: string | null, message: string | null): MediaError {
  const known: MediaFailure = reason && reason in MEDIA_FAILURE_KIND && reason !== "store_unavailable" && reason !== "not_found" ? (reason as MediaFailure) : "upstream_failed";
  return new MediaError(known, message ?? "the file could not be archived");
}
