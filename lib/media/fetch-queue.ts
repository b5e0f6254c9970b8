// Getting a video's media for a view: the kept file from the store, else archived now (fetched
// from its CDN link, verified, stored). Concurrent views share one fetch; fetches wait for one of
// a few slots; a failure is remembered briefly so a page full of dead links does not hammer the
// CDN. With MEDIA_ARCHIVE on, a final outcome the archive recorded (expired, failed) is answered
// as it is, without asking the CDN again.
import type { Db } from "../db/client";
import { rawRows } from "./raw-sql";
import { log } from "../log";
import { metrics } from "../metrics/registry";
import { isBigintId } from "../shared/paging";
import { Slots } from "../shared/slots";
import { archiveItem, keptMedia, recordedFailure, type ArchiveOptions } from "./archive";
import type { MediaOptions, StoredMedia } from "./cache";
import { MediaError } from "./errors";
import type { MediaKind } from "./sniff";
import { unknownVideo } from "./source";

/** How long a failure is answered from memory before the CDN is asked again. */
const FAILURE_MEMORY_MS = 30_000;
/** How often a view waiting for another instance's fetch looks again. */
const WAIT_STEP_MS = 250;

const inflight = new Map<string, Promise<StoredMedia>>();
// A page of 50 cards asks for 50 previews at once: the CDN gets a few at a time.
const fetchSlots = new Slots(6);
const recentFailures = new Map<string, { error: MediaError; until: number }>();

export type ViewOptions = MediaOptions & {
  /** MEDIA_ARCHIVE=on: recorded final outcomes are answered from the record. */
  archive?: boolean;
  maxAgeMs?: number;
};

/** The video's `kind` file: kept in the store, else fetched, decrypted, verified and kept. */
export async function getMedia(db: Db, videoId: string, kind: MediaKind, options: ViewOptions): Promise<StoredMedia> {
  if (!isBigintId(videoId)) throw unknownVideo(videoId);
  const kept = await keptMedia(db, videoId, kind, options);
  if (kept) {
    metrics.mediaCache.inc({ kind, result: "hit" });
    return kept;
  }
  metrics.mediaCache.inc({ kind, result: "miss" });
  if (options.archive) {
    const rows = await rawRows<{ state: string; reason: string | null; error: string | null }>(db, `SELECT state::text, reason, error FROM media_archive WHERE "videoEventId" = $1::bigint AND kind = $2::media_kind`,
      [videoId, kind],
    );
    if (rows[0] && (rows[0].state === "expired" || rows[0].state === "failed")) throw recordedFailure(rows[0].reason, rows[0].error);
  }
  const key = `${options.dataDir}\0${videoId}\0${kind}`;
  const failure = recentFailures.get(key);
  if (failure && failure.until > Date.now()) throw failure.error;
  let pending = inflight.get(key);
  if (!pending) {
    pending = fetchSlots
      .run(() => fetchForView(db, videoId, kind, options))
      .catch((err: unknown) => {
        if (err instanceof MediaError) {
          // An unknown id may be an event about to arrive: asking the database again is cheap.
          // The store being down is not the file's fault: the next view asks again.
          if (err.reason !== "not_found" && err.reason !== "store_unavailable") rememberFailure(key, err);
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

/** Archives the item now; while another fetch (maybe on another instance) holds it, waits for its outcome. */
async function fetchForView(db: Db, videoId: string, kind: MediaKind, options: ViewOptions): Promise<StoredMedia> {
  const archiveOptions: ArchiveOptions = { ...options, maxAgeMs: options.maxAgeMs ?? 7 * 86_400_000, refetchFinal: !options.archive };
  const deadline = Date.now() + options.timeoutMs + 5000;
  for (;;) {
    const outcome = await archiveItem(db, videoId, kind, archiveOptions);
    if (outcome.state === "archived") return outcome.media;
    if (outcome.state === "gone") throw unknownVideo(videoId);
    if (outcome.state !== "busy") throw outcome.error;
    if (Date.now() > deadline) throw new MediaError("timeout", "the file is still being fetched: try again shortly");
    await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    const kept = await keptMedia(db, videoId, kind, options);
    if (kept) return kept;
  }
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
