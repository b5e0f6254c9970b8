// The media cache. A video's file is fetched from its CDN link once, decrypted when needed,
// verified, and kept content-addressed under DATA_DIR/media/<sha256>; the media_files table maps
// (video, kind) to that file. Later views are served from disk; concurrent first views share
// one fetch; a failure is remembered briefly so a page full of dead links does not hammer the CDN.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Pool } from "pg";
import { config, type Config } from "../config";
import { isBigintId } from "../shared/paging";
import { log } from "../log";
import { metrics } from "../metrics/registry";
import { createMediaDecipher, parseAesKey } from "./decrypt";
import { MediaError } from "./errors";
import { fetchToFile, writeBounded } from "./fetch-guard";
import { fitsKind, sniff, SNIFF_BYTES, type MediaKind } from "./sniff";

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

export const MEDIA_KINDS = ["video", "preview"] as const satisfies readonly MediaKind[];

export function isMediaKind(kind: string): kind is MediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(kind);
}

export function mediaDir(dataDir: string): string {
  return join(dataDir, "media");
}

/** How long a failure is answered from memory before the CDN is asked again. */
const FAILURE_MEMORY_MS = 30_000;

const inflight = new Map<string, Promise<StoredMedia>>();

/** At most `size` tasks at once; the rest wait their turn (first come, first served). */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

// A page of 50 cards asks for 50 previews at once: the CDN gets a few at a time.
const fetchSlots = new Slots(6);
const recentFailures = new Map<string, { error: MediaError; until: number }>();

/** The video's `kind` file: from the cache, else fetched, decrypted, verified and cached. */
export async function getMedia(db: Pool, videoId: string, kind: MediaKind, options: MediaOptions): Promise<StoredMedia> {
  if (!isBigintId(videoId)) throw unknownVideo(videoId);
  const cached = await cachedMedia(db, videoId, kind, options.dataDir);
  if (cached) {
    metrics.mediaCache.inc({ kind, result: "hit" });
    return cached;
  }
  metrics.mediaCache.inc({ kind, result: "miss" });
  const key = `${options.dataDir}\0${videoId}\0${kind}`;
  const failure = recentFailures.get(key);
  if (failure && failure.until > Date.now()) throw failure.error;
  let pending = inflight.get(key);
  if (!pending) {
    pending = fetchSlots
      .run(() => fetchAndStore(db, videoId, kind, options))
      .catch((err: unknown) => {
        if (err instanceof MediaError) {
          // An unknown id may be an event about to arrive: asking the database again is cheap.
          if (err.reason !== "not_found") rememberFailure(key, err);
          // The link itself stays out of the log: its query is an access token to the file.
          log.warn({ videoId, kind, reason: err.reason }, `media unavailable: ${err.message}`);
        }
        throw err;
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

function rememberFailure(key: string, error: MediaError) {
  const now = Date.now();
  if (recentFailures.size > 10_000) {
    for (const [k, v] of recentFailures) if (v.until <= now) recentFailures.delete(k);
  }
  recentFailures.set(key, { error, until: now + FAILURE_MEMORY_MS });
}

export function forgetFailure(dataDir: string, videoId: string, kind: MediaKind) {
  recentFailures.delete(`${dataDir}\0${videoId}\0${kind}`);
}

async function cachedMedia(db: Pool, videoId: string, kind: MediaKind, dataDir: string): Promise<StoredMedia | null> {
  const { rows } = await db.query<{ sha256: string; contentType: string; bytes: number }>(
    `SELECT sha256, "contentType", bytes::float8 AS bytes FROM media_files WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`,
    [videoId, kind],
  );
  if (!rows[0]) return null;
  const path = join(mediaDir(dataDir), rows[0].sha256);
  // Another instance may share the database but not this disk, or the file was removed: refetch.
  const size = await stat(path).then((s) => s.size, () => -1);
  return size === rows[0].bytes ? { path, ...rows[0] } : null;
}

type MediaSource = {
  cdnUrl: string;
  cdnPreviewUrl: string | null;
  cdnAesKey: string | null;
  cdnMd5: string | null;
  cdnSize: number | null;
  cdnPreviewSize: number | null;
};

/** What is known about a video's media from its event; throws not_found for an unknown id. */
export async function mediaSource(db: Pool, videoId: string): Promise<MediaSource> {
  if (!isBigintId(videoId)) throw unknownVideo(videoId);
  const { rows } = await db.query<MediaSource>(
    `SELECT "cdnUrl", "cdnPreviewUrl", "cdnAesKey", "cdnMd5", "cdnSize"::float8 AS "cdnSize", "cdnPreviewSize"::float8 AS "cdnPreviewSize"
       FROM video_events WHERE id = $1::bigint`,
    [videoId],
  );
  if (!rows[0]) throw unknownVideo(videoId);
  return rows[0];
}

function unknownVideo(videoId: string): MediaError {
  return new MediaError("not_found", `no video with id ${JSON.stringify(videoId.slice(0, 40))}`);
}

/** The expectations a file for this kind must meet: the md5 and size announced are the video's. */
export function expectationsFor(source: MediaSource, kind: MediaKind, maxBytes: number) {
  const announced = kind === "video" ? source.cdnSize : source.cdnPreviewSize;
  return {
    aesKey: source.cdnAesKey,
    md5: kind === "video" ? source.cdnMd5 : null,
    kind,
    maxBytes: byteLimit(announced, maxBytes),
    announced,
  };
}

export type Expectations = ReturnType<typeof expectationsFor>;

/** The announced size plus a margin (AES padding, a provider rounding), never above the cap. */
export function byteLimit(announced: number | null, cap: number): number {
  if (!announced || announced <= 0) return cap;
  return Math.min(cap, announced + Math.max(64 * 1024, Math.ceil(announced * 0.1)));
}

async function fetchAndStore(db: Pool, videoId: string, kind: MediaKind, options: MediaOptions): Promise<StoredMedia> {
  const source = await mediaSource(db, videoId);
  const link = kind === "video" ? source.cdnUrl : source.cdnPreviewUrl;
  if (!link) throw new MediaError("no_link", `this video's payload has no ${kind === "video" ? "video" : "preview"} link`);
  const expected = expectationsFor(source, kind, options.maxBytes);
  if (expected.announced && expected.announced > options.maxBytes) {
    throw new MediaError("too_large", `the ${kind} is announced at ${expected.announced} bytes, over MEDIA_MAX_BYTES (${options.maxBytes})`);
  }
  const raw = await tempPath(options.dataDir);
  try {
    await fetchToFile(link, raw, { allowedHosts: options.allowedHosts, maxBytes: expected.maxBytes, timeoutMs: options.timeoutMs });
    const stored = await adopt(raw, expected, options.dataDir);
    await recordMedia(db, videoId, kind, stored, "cdn");
    return stored;
  } finally {
    await rm(raw, { force: true });
  }
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

async function tempPath(dataDir: string): Promise<string> {
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

/**
 * Turns a downloaded or uploaded file into a cached one: plain media is kept as is, anything
 * else is decrypted with the event's aes_key; the result must be media of the right kind and
 * match the announced md5. The raw file at `raw` is left for the caller to remove.
 */
export async function adopt(raw: string, expected: Pick<Expectations, "aesKey" | "md5" | "kind">, dataDir: string): Promise<StoredMedia> {
  const head = await readHead(raw);
  let plain = raw;
  let sniffed = sniff(head);
  const decrypted = `${raw}.plain`;
  try {
    if (!sniffed) {
      const key = parseAesKey(expected.aesKey);
      if (!key) {
        throw looksLikeText(head)
          ? expiredPage()
          : new MediaError("not_media", "the file is no known video or image format, and the event has no usable aes_key to decrypt it");
      }
      try {
        await pipeline(createReadStream(raw), createMediaDecipher(key), createWriteStream(decrypted));
      } catch {
        throw looksLikeText(head) ? expiredPage() : new MediaError("decryption_failed", "decryption failed: the file does not decrypt with the event's aes_key");
      }
      plain = decrypted;
      sniffed = sniff(await readHead(plain));
      if (!sniffed) throw new MediaError("decryption_failed", "decryption failed: the decrypted bytes are no known video or image format (wrong aes_key?)");
    }
    if (!fitsKind(sniffed, expected.kind)) {
      throw new MediaError("not_media", `expected ${expected.kind === "video" ? "a video" : "an image"}, got ${sniffed.contentType}`);
    }
    const hashes = await hashFile(plain);
    const md5 = normaliseMd5(expected.md5);
    // The payload's md5 is the plain file's; a provider that hashed the encrypted bytes is accepted too.
    if (md5 && hashes.md5 !== md5 && (plain === raw || (await hashFile(raw)).md5 !== md5)) {
      throw new MediaError("md5_mismatch", `md5 mismatch: the file's md5 is ${hashes.md5}, the payload announced ${md5}`);
    }
    const path = join(mediaDir(dataDir), hashes.sha256);
    await rename(plain, path);
    return { path, sha256: hashes.sha256, contentType: sniffed.contentType, bytes: hashes.bytes };
  } finally {
    await rm(decrypted, { force: true });
  }
}

function expiredPage(): MediaError {
  return new MediaError("link_expired", "the CDN answered a text page instead of the file: the link has probably expired");
}

/** A payload md5 we can check against; anything else is treated as absent. */
function normaliseMd5(md5: string | null): string | null {
  const text = md5?.trim().toLowerCase();
  return text && /^[0-9a-f]{32}$/.test(text) ? text : null;
}

function looksLikeText(head: Buffer): boolean {
  return head.length > 0 && head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
}

async function readHead(path: string): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function hashFile(path: string): Promise<{ md5: string; sha256: string; bytes: number }> {
  const md5 = createHash("md5");
  const sha256 = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    md5.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { md5: md5.digest("hex"), sha256: sha256.digest("hex"), bytes };
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
