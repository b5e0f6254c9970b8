// Getting a video's media: from the cache, else fetched from its CDN link. Concurrent first
// views share one fetch; fetches wait for one of a few slots; a failure is remembered briefly so
// a page full of dead links does not hammer the CDN.
import { rm } from "node:fs/promises";
import type { Pool } from "pg";
import { log } from "../log";
import { metrics } from "../metrics/registry";
import { isBigintId } from "../shared/paging";
import { Slots } from "../shared/slots";
import { adopt } from "./adopt";
import { cachedMedia, recordMedia, tempPath, type MediaOptions, type StoredMedia } from "./cache";
import { MediaError } from "./errors";
import { fetchToFile } from "./fetch-guard";
import type { MediaKind } from "./sniff";
import { expectationsFor, mediaSource, unknownVideo } from "./source";

/** How long a failure is answered from memory before the CDN is asked again. */
const FAILURE_MEMORY_MS = 30_000;

const inflight = new Map<string, Promise<StoredMedia>>();
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
