// Archiving on arrival (issue 25), end to end: production builds as separate processes, one
// PostgreSQL database, one bucket on a real S3-protocol server (fauxqs, its own process), and
// the stand-in CDN. Needs `next build` first.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadClips, postCallback, videoEnvelope } from "../scripts/demo/provider";
import { startStandInCdn, type Published, type StandInCdn } from "../scripts/demo/cdn";
import { startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";
import { startS3Server, type S3TestServer } from "./support/s3-server";
import { killAppHard, waitFor } from "./durability-helpers";

const db = useTestDatabase();
const clips = loadClips();
let s3: S3TestServer;
let cdn: StandInCdn;
const apps: AppServer[] = [];
const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "archive-data-"));
  dirs.push(dir);
  return dir;
}

async function startApp(dir = dataDir(), env: Record<string, string> = {}): Promise<AppServer> {
  const app = await startAppServer({ DATABASE_URL: db.url, DATA_DIR: dir, MEDIA_ALLOWED_HOSTS: cdn.hostEntry, ...s3.env, ...env });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  s3 = await startS3Server();
  cdn = await startStandInCdn();
}, 60_000);
afterAll(async () => {
  for (const app of apps) await app.stop().catch(() => {});
  await cdn?.stop().catch(() => {});
  await s3?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

type Posted = { id: string; video: Published; preview: Published; plainVideo: Buffer; plainPreview: Buffer };

/** Posts a 20004 whose links are on the stand-in CDN and returns the stored video's id with what was published. */
async function postVideo(app: AppServer, n: number, publish: { video?: Parameters<StandInCdn["publish"]>[1]; plain?: Buffer } = {}): Promise<Posted> {
  const on = cdn;
  const clip = clips[n % clips.length];
  const key = randomBytes(16);
  const plainVideo = publish.plain ?? clip.video;
  const video = on.publish(plainVideo, { key, ...publish.video });
  const preview = on.publish(clip.preview, { key });
  const serverId = `archive-${n}-${randomBytes(6).toString("hex")}`;
  const envelope = videoEnvelope(
    { url: video.url, aes_key: key.toString("hex"), md5: video.md5, size: video.size, preview_img_url: preview.url, preview_img_size: preview.size },
    { width: clip.width, height: clip.height, duration: clip.duration, serverId, fromWxId: "wxid_archive", conversationId: "S:wxid_archive" },
  );
  expect(await postCallback(app.url, envelope)).toBe(200);
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text FROM video_events WHERE "serverId" = $1`, [serverId]);
  return { id: rows[0].id, video, preview, plainVideo, plainPreview: clip.preview };
}

type ArchiveRow = { state: string; attempts: number; reason: string | null };
async function archiveRow(id: string, kind = "video"): Promise<ArchiveRow | undefined> {
  const { rows } = await db.pool.query<ArchiveRow>(`SELECT state::text, attempts, reason FROM media_archive WHERE "videoEventId" = $1 AND kind = $2::media_kind`, [id, kind]);
  return rows[0];
}

const inState = (id: string, state: string, kind = "video", timeoutMs = 60_000) =>
  waitFor(`${kind} of video ${id} to be ${state}`, async () => {
    const row = await archiveRow(id, kind);
    return row?.state === state ? row : false;
  }, timeoutMs, 200);

async function getBytes(app: AppServer, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe("archiving on arrival, with one bucket for every instance", () => {
  let a: AppServer;
  let b: AppServer;
  let bDir: string;
  beforeAll(async () => {
    bDir = dataDir();
    [a, b] = await Promise.all([startApp(), startApp(bDir)]);
  }, 180_000);
  // Any instance runs any job: the later tests need to know which instances are up.
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test("every video posted to either instance is archived with one CDN fetch per file; with the CDN gone, the other instance (empty DATA_DIR) serves every byte, and ranges", async () => {
    const posted: Posted[] = [];
    for (let n = 0; n < 6; n++) posted.push(await postVideo([a, b][n % 2], n));
    for (const p of posted) {
      await inState(p.id, "archived");
      await inState(p.id, "archived", "preview");
    }
    for (const p of posted) {
      expect(cdn.hits(p.video.url), `video of ${p.id}`).toBe(1);
      expect(cdn.hits(p.preview.url), `preview of ${p.id}`).toBe(1);
    }
    // The CDN is not asked again: from now on only the bucket has the files.
    const hitsBefore = posted.map((p) => cdn.hits(p.video.url));
    for (const p of posted) {
      const whole = await getBytes(b, `/api/media/${p.id}/video`, {});
      expect(whole.status).toBe(200);
      expect(sha256(whole.body)).toBe(sha256(p.plainVideo));
      const part = await getBytes(b, `/api/media/${p.id}/video`, { range: "bytes=100-1099" });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes 100-1099/${p.plainVideo.length}`);
      expect(part.body.equals(p.plainVideo.subarray(100, 1100))).toBe(true);
      const preview = await getBytes(b, `/api/media/${p.id}/preview`);
      expect(preview.body.equals(p.plainPreview)).toBe(true);
    }
    expect(posted.map((p) => cdn.hits(p.video.url))).toEqual(hitsBefore);
    // B kept nothing on its own disk: every byte came from the bucket.
    const local = readdirSync(join(bDir, "media"), { withFileTypes: true }).filter((e) => e.isFile());
    expect(local).toEqual([]);
  }, 180_000);

  test("a link answering 404 ends expired after one attempt; a view answers link_expired without asking the CDN", async () => {
    const p = await postVideo(a, 10, { video: { expiresInMs: 0 } });
    const row = await inState(p.id, "expired");
    expect(row).toMatchObject({ attempts: 1, reason: "link_expired" });
    // A marker: a later video archived means the expired one's job is long done.
    await inState((await postVideo(a, 11)).id, "archived");
    expect(cdn.hits(p.video.url)).toBe(1);
    const view = await fetch(`${b.url}/api/media/${p.id}/video`);
    expect(view.status).toBe(502);
    expect(await view.json()).toMatchObject({ code: "link_expired" });
    expect(cdn.hits(p.video.url)).toBe(1);
  }, 120_000);

  test("a CDN answering 503 twice is archived on the third attempt", async () => {
    const p = await postVideo(b, 12, { video: { failFirst: 2, failStatus: 503 } });
    const row = await inState(p.id, "archived", "video", 90_000);
    expect(row.attempts).toBe(3);
    expect(cdn.hits(p.video.url)).toBe(3);
    const served = await getBytes(a, `/api/media/${p.id}/video`);
    expect(sha256(served.body)).toBe(sha256(p.plainVideo));
  }, 120_000);
});

describe("the app killed -9 in the middle of archiving a 40 MB file", () => {
  test("the job runs again, and no half-written file is ever stored or served", async () => {
    // The only instance up, so the fetch is its own.
    const killedDir = dataDir();
    const killed = await startApp(killedDir, { APP_TAG: "killed" });
    const plain = Buffer.concat([Buffer.from("000000186674797069736f6d0000020069736f6d", "hex"), randomBytes(40 * 1024 * 1024)]);
    // 8 MB/s: the fetch takes about 5 s, so the kill lands in its middle.
    const p = await postVideo(killed, 20, { plain, video: { bytesPerSecond: 8 * 1024 * 1024 } });
    const startedAt = cdn.sentBytes();
    await waitFor("the 40 MB fetch to be under way", async () => cdn.sentBytes() - startedAt > 8 * 1024 * 1024, 60_000, 50);
    expect(killAppHard(killedDir, "APP_TAG=killed")).toBeGreaterThan(0);
    expect((await archiveRow(p.id))?.state).toBe("pending");
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM media_files WHERE "videoEventId" = $1 AND kind = 'video'`, [p.id])).rows[0].n).toBe(0);
    // Another instance takes the job over once the dead fetch's lease lapses.
    const other = await startApp();
    await inState(p.id, "archived", "video", 150_000);
    expect(cdn.hits(p.video.url)).toBe(2);
    const served = await getBytes(other, `/api/media/${p.id}/video`);
    expect(served.status).toBe(200);
    expect(sha256(served.body)).toBe(sha256(plain));
    // Every object in the bucket is whole: its bytes hash to its name.
    const client = s3.client();
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    for (const object of listed.Contents ?? []) {
      const body = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: object.Key! }));
      expect(sha256(Buffer.from(await body.Body!.transformToByteArray()))).toBe(object.Key);
    }
    client.destroy();
    await other.stop();
  }, 240_000);
});

describe("the store down for a minute", () => {
  test("archive jobs wait and finish once it is back; views of archived videos answer 503 with a code meanwhile, never a broken file", async () => {
    const app = await startApp();
    const before = await postVideo(app, 30);
    // (The instances of the tests above are stopped: this one does every job.)
    await inState(before.id, "archived");
    await s3.stop();
    const downAt = Date.now();
    const during = await postVideo(app, 31);
    const view = await fetch(`${app.url}/api/media/${before.id}/video`);
    if (view.status !== 503) console.log(await view.clone().text(), app.output().slice(-3000));
    expect(view.status).toBe(503);
    expect(await view.json()).toMatchObject({ code: "store_unavailable" });
    const ranged = await fetch(`${app.url}/api/media/${before.id}/video`, { headers: { range: "bytes=0-99" } });
    expect(ranged.status).toBe(503);
    await waitFor("a failed attempt while the store is down", async () => ((await archiveRow(during.id))?.reason === "store_unavailable" ? true : false), 60_000, 200);
    expect((await archiveRow(during.id))?.state).toBe("pending");
    await waitFor("a minute of outage", async () => Date.now() - downAt >= 60_000, 70_000, 500);
    expect((await archiveRow(during.id))?.state).toBe("pending");
    await s3.start();
    await inState(during.id, "archived", "video", 90_000);
    const served = await getBytes(app, `/api/media/${during.id}/video`);
    expect(sha256(served.body)).toBe(sha256(during.plainVideo));
  }, 240_000);
});
