// The media cache's index and files. A verified file is kept content-addressed under
// DATA_DIR/media/<sha256>; the media_files table maps (video, kind) to it. A hit is served only
// when the file on disk is still the one that was verified: see verifiedFile.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Pool } from "pg";
import { config, type Config } from "../config";
import { log } from "../log";
import { writeBounded } from "./fetch-guard";
import { hashFile } from "./hash";
import type { MediaKind } from "./sniff";
import { unknownVideo } from "./source";

export type MediaOptions = {
  dataDir: string;
  allowedHosts: readonly string[];
  /** Absolute cap; a link's announced size tightens it. */
  maxBytes: number;
  timeoutMs: number;
};

export function mediaOptions(cfg: Pick<Config, "DATA_DIR" | "MEDIA_ALLOWED_HOSTS" | "MEDIA_MAX_BYTES" | "MEDIA_FETCH_TIMEOUT_MS"> = config()): MediaOptions {
  return { dataDir: cfg.DATA_DIR, allowedHosts: cfg.MEDIA_ALLOWED_HOSTS, maxBytes: cfg.MEDIA_MAX_BYTES, timeoutMs: cfg.MEDIA_FETCH_TIMEOUT_MS };
}

export type StoredMedia = { path: string; sha256: string; contentType: string; bytes: number };

export function mediaDir(dataDir: string): string {
  return join(dataDir, "media");
}

/** The cached file for (video, kind), or null when there is none or it is not intact: the caller fetches it again. */
export async function cachedMedia(db: Pool, videoId: string, kind: MediaKind, dataDir: string): Promise<StoredMedia | null> {
  const { rows } = await db.query<{ sha256: string; contentType: string; bytes: number }>(
    `SELECT sha256, "contentType", bytes::float8 AS bytes FROM media_files WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`,
    [videoId, kind],
  );
  if (!rows[0]) return null;
  const path = join(mediaDir(dataDir), rows[0].sha256);
  // Another instance may share the database but not this disk, or the file was removed or damaged: refetch.
  return (await verifiedFile(path, rows[0].sha256, rows[0].bytes)) ? { path, ...rows[0] } : null;
}

// The file's identity on disk when its content was last hashed by this process. Any write to a
// file changes its ctime, which no user-space call can set back, so an unchanged identity means
// unchanged bytes. Hashing on every hit would cost 137 ms for a 100 MiB video, per Range
// request; this check costs a stat (0.1 ms), and the hash runs once per change (docs/media.md).
const verifiedIdentity = new Map<string, string>();
const hashing = new Map<string, Promise<boolean>>();

/**
 * True when the file at `path` holds the bytes whose sha256 is its name. A file that does not
 * (same size, other bytes: a disk error, a stray write) is removed and logged.
 */
export async function verifiedFile(path: string, sha256: string, bytes: number): Promise<boolean> {
  const identity = await identityOf(path);
  if (!identity || !identity.startsWith(`${bytes}:`)) return false;
  if (verifiedIdentity.get(path) === identity) return true;
  const key = `${path}\0${identity}`;
  let pending = hashing.get(key);
  if (!pending) {
    pending = hashFile(path, ["sha256"])
      .then(async ({ sha256: actual }) => {
        if (actual === sha256) {
          remember(path, identity);
          return true;
        }
        log.warn({ path, expected: sha256, actual }, "cached media file is damaged: removed, it will be fetched again");
        verifiedIdentity.delete(path);
        await rm(path, { force: true });
        return false;
      })
      .finally(() => hashing.delete(key));
    hashing.set(key, pending);
  }
  return pending;
}

/** Records that the file at `path` was just written from bytes whose digest was checked. */
export async function markVerified(path: string): Promise<void> {
  const identity = await identityOf(path);
  if (identity) remember(path, identity);
}

function remember(path: string, identity: string) {
  if (verifiedIdentity.size > 100_000) verifiedIdentity.clear();
  verifiedIdentity.set(path, identity);
}

async function identityOf(path: string): Promise<string | null> {
  const st = await stat(path).catch(() => null);
  return st && `${st.size}:${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
}

export async function recordMedia(db: Pool, videoId: string, kind: MediaKind, media: StoredMedia, source: "cdn" | "upload") {
  // Only for an event that still exists: it may have been deleted (retention) during the fetch.
  const { rowCount } = await db.query(
    `INSERT INTO media_files ("videoEventId", kind, sha256, "contentType", bytes, source)
     SELECT id, $2::media_kind, $3, $4, $5, $6::media_source FROM video_events WHERE id = $1::bigint
     ON CONFLICT ("videoEventId", kind) DO UPDATE
       SET sha256 = EXCLUDED.sha256, "contentType" = EXCLUDED."contentType", bytes = EXCLUDED.bytes,
           source = EXCLUDED.source, "storedAt" = now()`,
    [videoId, kind, media.sha256, media.contentType, media.bytes, source],
  );
  if (rowCount === 0) throw unknownVideo(videoId);
}

/**
 * Removes cached files that no media_files row refers to any more (their events were deleted by
 * retention), leaving recent ones alone: a file is renamed into place just before its row is
 * written. Returns how many files were removed. For the retention job to call after deleting.
 */
export async function pruneMediaFiles(db: Pool, dataDir: string, { olderThanMs = 3600_000 } = {}): Promise<number> {
  const dir = mediaDir(dataDir);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{64}$/.test(n));
  if (names.length === 0) return 0;
  const { rows } = await db.query<{ sha256: string }>(`SELECT DISTINCT sha256 FROM media_files WHERE sha256 = ANY($1::text[])`, [names]);
  const used = new Set(rows.map((r) => r.sha256));
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  for (const name of names) {
    if (used.has(name)) continue;
    const st = await stat(join(dir, name)).catch(() => null);
    if (st && st.mtimeMs < cutoff) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

/** Writes a stream to a temporary file, refusing it past `maxBytes`; returns the file's path. */
export async function saveStream(body: Readable, dataDir: string, maxBytes: number): Promise<string> {
  const path = await tempPath(dataDir);
  try {
    await writeBounded(body, path, maxBytes);
    return path;
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

const sweptTempDirs = new Set<string>();

/** A fresh path under the cache's tmp folder, on the same filesystem so a verified file is renamed into place. */
export async function tempPath(dataDir: string): Promise<string> {
  const dir = join(mediaDir(dataDir), "tmp");
  await mkdir(dir, { recursive: true });
  if (!sweptTempDirs.has(dir)) {
    sweptTempDirs.add(dir);
    await sweepTempFiles(dir);
  }
  return join(dir, randomBytes(12).toString("hex"));
}

/** Downloads interrupted by a crash leave temporary files: the first fetch of a process removes those over an hour old. */
async function sweepTempFiles(dir: string) {
  const cutoff = Date.now() - 3600_000;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    if (st && st.mtimeMs < cutoff) await rm(path, { force: true });
  }
}
