// The media cache end to end, against a real database and a stand-in CDN serving encrypted
// and plain files: fetched once, decrypted, verified, served from disk after.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { metrics } from "../metrics/registry";
import { startStandInCdn, type StandInCdn } from "../../scripts/demo/cdn";
import { loadClips, videoEnvelope } from "../../scripts/demo/provider";
import { encryptMedia } from "./decrypt";
import { MediaError } from "./errors";
import { mediaDir, pruneMediaFiles, type MediaOptions } from "./cache";
import { LocalStore, verifiedFile } from "./store-local";
import { getMedia } from "./fetch-queue";
import { storeUpload } from "./upload";
import { archiveItem } from "./archive";
import { retryArchive, videoArchive } from "./archive-state";

const db = useTestDatabase();
const [clip] = loadClips();
let cdn: StandInCdn;
let options: MediaOptions;

beforeAll(async () => {
  cdn = await startStandInCdn();
  const dataDir = mkdtempSync(join(tmpdir(), "media-store-"));
  options = { dataDir, allowedHosts: [cdn.hostEntry], maxBytes: 10 << 20, timeoutMs: 5000, store: new LocalStore(dataDir) };
});
afterAll(async () => {
  await cdn.stop();
  rmSync(options.dataDir, { recursive: true, force: true });
});

/** Stores a 20004 through the real receiver and returns its id. */
async function postVideo(cdnData: Record<string, unknown>): Promise<string> {
  const envelope = videoEnvelope(cdnData, { width: 160, height: 90, duration: 3, fromWxId: "wxid_test", conversationId: "S:wxid_test" });
  const result = await receiveDelivery(db.client, Buffer.from(JSON.stringify(envelope)));
  if (result.outcome !== "stored" || !result.videoId) throw new Error(`not stored: ${JSON.stringify(result)}`);
  return result.videoId;
}

/** A video whose link serves the demo clip, encrypted with the payload's aes_key; preview likewise. */
async function publishedVideo({ encrypted = true } = {}) {
  const key = randomBytes(16);
  const video = cdn.publish(clip.video, { encrypted, key });
  const preview = cdn.publish(clip.preview, { encrypted, key });
  const id = await postVideo({ url: video.url, aes_key: key.toString("hex"), md5: video.md5, size: video.size, preview_img_url: preview.url, preview_img_size: preview.size });
  return { id, video, preview, key };
}

async function failure(promise: Promise<unknown>): Promise<MediaError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

/** Where the local store keeps a file. */
const fileOf = (media: { sha256: string }) => join(mediaDir(options.dataDir), media.sha256);

const cacheCount = async (labels: { kind: string; result: string }) =>
  (await metrics.mediaCache.get()).values.find((v) => v.labels.kind === labels.kind && v.labels.result === labels.result)?.value ?? 0;

describe("fetching, decrypting and caching", () => {
  test("an encrypted video is decrypted, verified, cached, and served from disk the second time", async () => {
    const { id, video } = await publishedVideo();
    const hitsBefore = await cacheCount({ kind: "video", result: "hit" });
    const first = await getMedia(db.client, id, "video", options);
    expect(first.contentType).toBe("video/mp4");
    expect(readFileSync(fileOf(first))).toEqual(clip.video);
    expect(fileOf(first)).toBe(join(mediaDir(options.dataDir), first.sha256));

    const second = await getMedia(db.client, id, "video", options);
    expect(second).toEqual(first);
    expect(cdn.hits(video.url)).toBe(1);
    expect(await cacheCount({ kind: "video", result: "hit" })).toBe(hitsBefore + 1);
    const { rows } = await db.pool.query(`SELECT kind, source, "contentType", bytes::int FROM media_files WHERE "videoEventId" = $1`, [id]);
    expect(rows).toEqual([{ kind: "video", source: "cdn", contentType: "video/mp4", bytes: clip.video.length }]);
  });

  test("the preview is decrypted with the same key and served as a JPEG", async () => {
    const { id, preview } = await publishedVideo();
    const media = await getMedia(db.client, id, "preview", options);
    expect(media.contentType).toBe("image/jpeg");
    expect(readFileSync(fileOf(media))).toEqual(clip.preview);
    expect(cdn.hits(preview.url)).toBe(1);
  });

  test("a link serving a plain file is kept as is, aes_key or not", async () => {
    const { id } = await publishedVideo({ encrypted: false });
    expect(readFileSync(fileOf(await getMedia(db.client, id, "video", options)))).toEqual(clip.video);
  });

  test("concurrent first views fetch once", async () => {
    const { id, video } = await publishedVideo();
    const results = await Promise.all(Array.from({ length: 8 }, () => getMedia(db.client, id, "video", options)));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(cdn.hits(video.url)).toBe(1);
  });

  test("a cached file removed from disk is fetched again", async () => {
    const { id, video } = await publishedVideo();
    const first = await getMedia(db.client, id, "video", options);
    await unlink(fileOf(first));
    const again = await getMedia(db.client, id, "video", options);
    expect(existsSync(fileOf(again))).toBe(true);
    expect(cdn.hits(video.url)).toBe(2);
  });

  test("a cached file damaged in place (same size, other bytes, even with its mtime put back) is never served: fetched again", async () => {
    const { id, video } = await publishedVideo();
    const first = await getMedia(db.client, id, "video", options);
    const { mtime, atime } = statSync(fileOf(first));
    const damaged = Buffer.from(clip.video);
    damaged[damaged.length >> 1] ^= 0xff;
    writeFileSync(fileOf(first), damaged);
    utimesSync(fileOf(first), atime, mtime);
    expect(statSync(fileOf(first)).size).toBe(clip.video.length);

    const again = await getMedia(db.client, id, "video", options);
    expect(readFileSync(fileOf(again))).toEqual(clip.video);
    expect(cdn.hits(video.url)).toBe(2);
    // An intact file is served from disk, without the CDN, however often it is asked for.
    await Promise.all(Array.from({ length: 5 }, () => getMedia(db.client, id, "video", options)));
    expect(cdn.hits(video.url)).toBe(2);
  });

  test("a damaged file found after a restart (nothing verified yet in this process) is caught by its hash", async () => {
    const { id, video } = await publishedVideo();
    const first = await getMedia(db.client, id, "video", options);
    const damaged = Buffer.from(clip.video);
    damaged[7] ^= 0x01;
    // A fresh process knows no file: copy the damaged bytes in as a new inode, as a restore would.
    await unlink(fileOf(first));
    writeFileSync(fileOf(first), damaged);
    expect(await verifiedFile(fileOf(first), first.sha256, first.bytes)).toBe(false);
    expect(existsSync(fileOf(first))).toBe(false);
    expect(readFileSync(fileOf(await getMedia(db.client, id, "video", options)))).toEqual(clip.video);
    expect(cdn.hits(video.url)).toBe(2);
  });

  test("deleting an event (retention) forgets its cached media", async () => {
    const { id } = await publishedVideo();
    await getMedia(db.client, id, "video", options);
    await db.pool.query(`DELETE FROM video_events WHERE id = $1`, [id]);
    const { rowCount } = await db.pool.query(`SELECT 1 FROM media_files WHERE "videoEventId" = $1`, [id]);
    expect(rowCount).toBe(0);
    expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("not_found");
  });

  test("pruning removes the files of deleted events and keeps those still in use", async () => {
    const kept = await getMedia(db.client, (await publishedVideo()).id, "video", options);
    const clip2 = loadClips()[2];
    const video = cdn.publish(clip2.video);
    const goneId = await postVideo({ url: video.url, aes_key: video.aes_key, md5: video.md5 });
    const gone = await getMedia(db.client, goneId, "video", options);
    await db.pool.query(`DELETE FROM video_events WHERE id = $1`, [goneId]);
    expect(await pruneMediaFiles(db.client, options.store, { olderThanMs: 60_000 })).toBe(0);
    expect(await pruneMediaFiles(db.client, options.store, { olderThanMs: -1 })).toBe(1);
    expect(existsSync(fileOf(gone))).toBe(false);
    expect(existsSync(fileOf(kept))).toBe(true);
  });

  test("identical files are stored once (content-addressed)", async () => {
    const a = await publishedVideo();
    const b = await publishedVideo();
    const [ma, mb] = [await getMedia(db.client, a.id, "video", options), await getMedia(db.client, b.id, "video", options)];
    expect(fileOf(ma)).toBe(fileOf(mb));
  });
});

describe("refusals, each with its reason", () => {
  test("md5 mismatch: an error, never served, never cached", async () => {
    const key = randomBytes(16);
    const video = cdn.publish(clip.video, { key });
    const id = await postVideo({ url: video.url, aes_key: key.toString("hex"), md5: "0123456789abcdef0123456789abcdef", size: video.size });
    const err = await failure(getMedia(db.client, id, "video", options));
    expect(err.reason).toBe("md5_mismatch");
    expect(err.kind).toBe("upstream");
    const { rowCount } = await db.pool.query(`SELECT 1 FROM media_files WHERE "videoEventId" = $1`, [id]);
    expect(rowCount).toBe(0);
  });

  test("md5: matched case-insensitively, against the plain file or the downloaded bytes; a malformed md5 is no md5", async () => {
    const key = randomBytes(16);
    const upper = cdn.publish(clip.video, { key });
    const a = await postVideo({ url: upper.url, aes_key: key.toString("hex"), md5: upper.md5.toUpperCase() });
    expect((await getMedia(db.client, a, "video", options)).contentType).toBe("video/mp4");
    const ofEncrypted = cdn.publish(clip.video, { key });
    const encryptedMd5 = createHash("md5").update(encryptMedia(clip.video, key)).digest("hex");
    const b = await postVideo({ url: ofEncrypted.url, aes_key: key.toString("hex"), md5: encryptedMd5 });
    expect((await getMedia(db.client, b, "video", options)).contentType).toBe("video/mp4");
    const malformed = cdn.publish(clip.video, { key });
    const c = await postVideo({ url: malformed.url, aes_key: key.toString("hex"), md5: "not-an-md5" });
    expect((await getMedia(db.client, c, "video", options)).contentType).toBe("video/mp4");
  });

  test("a wrong aes_key: decryption failed", async () => {
    const video = cdn.publish(clip.video, { key: randomBytes(16) });
    const id = await postVideo({ url: video.url, aes_key: randomBytes(16).toString("hex"), md5: video.md5, size: video.size });
    expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("decryption_failed");
  });

  test("encrypted bytes and no aes_key: not media", async () => {
    const video = cdn.publish(clip.video);
    const id = await postVideo({ url: video.url, md5: video.md5, size: video.size });
    expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("not_media");
  });

  test("a link answering 404: link expired, remembered for 30 s (the CDN is not asked again at once), then asked again", async () => {
    const url = cdn.expired();
    const id = await postVideo({ url, aes_key: randomBytes(16).toString("hex"), size: 1000 });
    const err = await failure(getMedia(db.client, id, "video", options));
    expect(err.reason).toBe("link_expired");
    expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("link_expired");
    expect(cdn.hits(url)).toBe(1);
    // Only the clock moves: the fetch's own timers stay real.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 29_000 });
    try {
      expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("link_expired");
      expect(cdn.hits(url)).toBe(1);
      vi.setSystemTime(Date.now() + 1_001);
      expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("link_expired");
      expect(cdn.hits(url)).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  test("a host not in MEDIA_ALLOWED_HOSTS is never fetched", async () => {
    const id = await postVideo({ url: "https://evil.example.com/video.mp4", size: 1000 });
    const err = await failure(getMedia(db.client, id, "video", options));
    expect(err.reason).toBe("host_not_allowed");
    expect(err.kind).toBe("forbidden");
  });

  test("too large: bigger than announced (plus margin), or announced over the cap", async () => {
    const big = cdn.publish(randomBytes(300_000), { encrypted: false });
    const understated = await postVideo({ url: big.url, size: 1000 });
    expect((await failure(getMedia(db.client, understated, "video", options))).reason).toBe("too_large");
    const huge = await postVideo({ url: big.url, size: 50 << 20 });
    const err = await failure(getMedia(db.client, huge, "video", options));
    expect(err.reason).toBe("too_large");
    expect(err.message).toMatch(/MEDIA_MAX_BYTES/);
  });

  test("unknown ids, and a video without a preview link: 404", async () => {
    expect((await failure(getMedia(db.client, "999999999", "video", options))).reason).toBe("not_found");
    expect((await failure(getMedia(db.client, "'; DROP TABLE x", "video", options))).reason).toBe("not_found");
    const video = cdn.publish(clip.video);
    const id = await postVideo({ url: video.url, aes_key: video.aes_key });
    const err = await failure(getMedia(db.client, id, "preview", options));
    expect(err.reason).toBe("no_link");
    expect(err.kind).toBe("not_found");
  });

  test("a preview link that serves a video (or a video link an image) is refused", async () => {
    const key = randomBytes(16);
    const image = cdn.publish(clip.preview, { key });
    const id = await postVideo({ url: image.url, aes_key: key.toString("hex") });
    expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("not_media");
  });
});

describe("uploads from the provider's download API", () => {
  test("an upload matching the md5 is stored for the event and served without the CDN", async () => {
    const url = cdn.expired();
    const md5 = cdn.publish(clip.video, { encrypted: false }).md5;
    const key = randomBytes(16);
    const id = await postVideo({ url, aes_key: key.toString("hex"), md5, size: clip.video.length });
    expect((await failure(getMedia(db.client, id, "video", options))).reason).toBe("link_expired");

    const stored = await storeUpload(db.client, id, "video", Readable.from([clip.video]), options);
    expect(stored.contentType).toBe("video/mp4");
    const served = await getMedia(db.client, id, "video", options);
    expect(readFileSync(fileOf(served))).toEqual(clip.video);
    expect(cdn.hits(url)).toBe(1);
    // The encrypted bytes, as some download APIs hand them over, are accepted too.
    await storeUpload(db.client, id, "video", Readable.from([encryptMedia(clip.video, key)]), options);
  });

  test("an upload marks the file archived: an expired video becomes archived, with the upload's size and sha256", async () => {
    const url = cdn.expired();
    const md5 = cdn.publish(clip.video, { encrypted: false }).md5;
    const id = await postVideo({ url, md5, size: clip.video.length });
    await archiveItem(db.client, id, "video", { ...options, maxAgeMs: 86_400_000 });
    expect((await videoArchive(db.client, id)).video).toMatchObject({ state: "expired", reason: "link_expired" });

    await storeUpload(db.client, id, "video", Readable.from([clip.video]), options);
    expect((await videoArchive(db.client, id)).video).toMatchObject({
      state: "archived",
      bytes: clip.video.length,
      sha256: createHash("sha256").update(clip.video).digest("hex"),
      contentType: "video/mp4",
    });
    // Archived: there is nothing left to retry.
    expect(await retryArchive(db.client, id)).toEqual({ kind: "nothing_to_retry" });
  });

  test("an upload with the wrong md5, or not media, is refused with 422", async () => {
    const video = cdn.publish(clip.video);
    const id = await postVideo({ url: video.url, aes_key: video.aes_key, md5: video.md5, size: video.size });
    const wrong = await failure(storeUpload(db.client, id, "video", Readable.from([loadClips()[1].video]), options));
    expect(wrong.reason).toBe("md5_mismatch");
    expect(wrong.kind).toBe("unprocessable");
    const text = await failure(storeUpload(db.client, id, "preview", Readable.from([Buffer.from("<html>no</html>")]), options));
    expect(text.reason).toBe("not_media");
    expect(text.kind).toBe("unprocessable");
    const tooBig = await failure(storeUpload(db.client, id, "video", Readable.from([randomBytes(1 << 20)]), options));
    expect(tooBig.reason).toBe("too_large");
  });
});
