// The cache's file checks, its temporary folder, and the checks around an upload, directly.
// Written against the mutants Stryker left alive in lib/media (docs/testing.md).
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import { mediaFailure } from "../../test/support/media-failure";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { loadClips, videoEnvelope } from "../../scripts/demo/provider";
import { recordMedia } from "./archive";
import { mediaDir, tempPath, type MediaOptions } from "./cache";
import { LocalStore, verifiedFile } from "./store-local";
import { MediaError } from "./errors";
import { getMedia } from "./fetch-queue";
import { byteLimit, mediaSource } from "./source";
import { authorizeUpload, storeUpload } from "./upload";

const db = useTestDatabase();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cache-edges-"));
  dirs.push(dir);
  mkdirSync(mediaDir(dir), { recursive: true });
  return dir;
}
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
/** A file in the cache's layout, written by hand: what a restarted process finds on disk. */
function cachedFile(dir: string, bytes: Buffer, name = sha256(bytes)): string {
  const path = join(mediaDir(dir), name);
  writeFileSync(path, bytes);
  return path;
}

describe("a cached file's check", () => {
  test("an intact file this process has not verified yet (after a restart) is served and kept", async () => {
    const bytes = randomBytes(5000);
    const path = cachedFile(dataDir(), bytes);
    expect(await verifiedFile(path, sha256(bytes), bytes.length)).toBe(true);
    expect(existsSync(path)).toBe(true);
    // And again, now from what this process remembers.
    expect(await verifiedFile(path, sha256(bytes), bytes.length)).toBe(true);
  });

  test("two files checked at once each get their own answer", async () => {
    const dir = dataDir();
    const good = randomBytes(5000);
    const goodPath = cachedFile(dir, good);
    const other = randomBytes(5000);
    const damagedPath = cachedFile(dir, randomBytes(5000), sha256(other));
    expect(await Promise.all([verifiedFile(goodPath, sha256(good), 5000), verifiedFile(damagedPath, sha256(other), 5000)])).toEqual([true, false]);
    expect(existsSync(goodPath)).toBe(true);
    expect(existsSync(damagedPath)).toBe(false);
  });
});

describe("the cache's temporary folder", () => {
  test("is DATA_DIR/media/tmp; the first use in a process removes temporary files over an hour old, and nothing else", async () => {
    const dir = dataDir();
    const tmp = join(dir, "media", "tmp");
    mkdirSync(tmp);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const stale = join(tmp, "stale");
    const fresh = join(tmp, "fresh");
    writeFileSync(stale, "left by a crash");
    writeFileSync(fresh, "a download in progress");
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    // A cached file just as old, in the folder above: never a temporary file.
    const cached = cachedFile(dir, Buffer.from("an old cached video"));
    utimesSync(cached, twoHoursAgo, twoHoursAgo);

    const path = await tempPath(dir);
    expect(dirname(path)).toBe(tmp);
    expect(readdirSync(tmp).sort()).toEqual(["fresh"]);
    expect(existsSync(cached)).toBe(true);
    // Only the first use sweeps: a file that turns stale later stays until the next process.
    utimesSync(fresh, twoHoursAgo, twoHoursAgo);
    await tempPath(dir);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe("around an upload", () => {
  async function storedVideo(): Promise<string> {
    const [clip] = loadClips();
    const md5 = createHash("md5").update(clip.video).digest("hex");
    const envelope = videoEnvelope({ url: "https://cdn.invalid/x", md5, size: clip.video.length }, { width: 160, height: 90, duration: 3, fromWxId: "wxid_edges", conversationId: "S:wxid_edges" });
    const result = await receiveDelivery(db.client, Buffer.from(JSON.stringify(envelope)));
    if (result.outcome !== "stored" || !result.videoId) throw new Error(`not stored: ${JSON.stringify(result)}`);
    return result.videoId;
  }

  test("an upload that ends before the bytes it announced is refused, never stored truncated", async () => {
    const [clip] = loadClips();
    const id = await storedVideo();
    const dir = dataDir();
    const options: MediaOptions = { dataDir: dir, allowedHosts: [], maxBytes: 10 << 20, timeoutMs: 5000, store: new LocalStore(dir) };
    const err = await mediaFailure(storeUpload(db.client, id, "video", Readable.from([clip.video]), options, clip.video.length + 1));
    expect(err.reason).toBe("not_media");
    expect(err.message).toBe(`the upload ended after ${clip.video.length} of the ${clip.video.length + 1} bytes announced`);
    expect(readdirSync(mediaDir(options.dataDir)).filter((n) => n !== "tmp")).toEqual([]);
    // The same bytes, announced rightly, are stored.
    await expect(storeUpload(db.client, id, "video", Readable.from([clip.video]), options, clip.video.length)).resolves.toMatchObject({ contentType: "video/mp4" });
  });

  test("media recorded for a video that no longer exists (deleted during the fetch): not found", async () => {
    const err = await mediaFailure(recordMedia(db.client, "987654321", "video", { sha256: "0".repeat(64), contentType: "video/mp4", bytes: 1 }, "cdn"));
    expect(err.reason).toBe("not_found");
  });

  test("an unknown id is not remembered as a failure: the event may be about to arrive", async () => {
    const dir = dataDir();
    const options: MediaOptions = { dataDir: dir, allowedHosts: [], maxBytes: 10 << 20, timeoutMs: 5000, store: new LocalStore(dir) };
    // The id the next stored video will get (nextval takes one, the insert the one after).
    const { rows } = await db.pool.query<{ id: string }>(`SELECT (nextval(pg_get_serial_sequence('video_events', 'id')) + 1)::text AS id`);
    expect((await mediaFailure(getMedia(db.client, rows[0].id, "video", options))).reason).toBe("not_found");
    expect(await storedVideo()).toBe(rows[0].id);
    // Now it exists: its link is fetched (and refused, the host not being allowed), not "not found" again.
    expect((await mediaFailure(getMedia(db.client, rows[0].id, "video", options))).reason).toBe("host_not_allowed");
  });

  test("an id that is no bigint is an unknown video, not a database error", async () => {
    for (const id of ["abc", "1.5", "99999999999999999999"]) expect((await mediaFailure(mediaSource(db.client, id))).reason).toBe("not_found");
  });

  test("the byte limit: the announced size plus 10 % (at least 64 KiB), never over the cap; no announcement, the cap", () => {
    expect(byteLimit(null, 1000)).toBe(1000);
    expect(byteLimit(0, 1000)).toBe(1000);
    expect(byteLimit(-5, 10 << 20)).toBe(10 << 20);
    expect(byteLimit(1000, 10 << 20)).toBe(1000 + 65536);
    expect(byteLimit(10_000_000, 100_000_000)).toBe(11_000_000);
    expect(byteLimit(10_000_000, 10_500_000)).toBe(10_500_000);
  });

  test("an upload's token: `Bearer` in any case, spaces around the token ignored, nothing before it", () => {
    const cfg = { API_TOKEN: "t0ken-with-enough-length", DASHBOARD_PASSWORD: undefined, HOST: "127.0.0.1" } as Parameters<typeof authorizeUpload>[1];
    expect(() => authorizeUpload("bearer   t0ken-with-enough-length  ", cfg)).not.toThrow();
    expect(() => authorizeUpload("XBearer t0ken-with-enough-length", cfg)).toThrow(MediaError);
    expect(() => authorizeUpload("Bearer", cfg)).toThrow(MediaError);
  });
});
