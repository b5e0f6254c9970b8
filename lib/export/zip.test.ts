import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { csvRecords, fillVideos, readAll } from "../../test/support/export-readers";
import { startS3Server, type S3TestServer } from "../../test/support/s3-server";
import { entryBytes, readZip, type ReadZip } from "../../test/support/zip-reader";
import { createPool } from "../db/client";
import { receiveDelivery } from "../ingest/store";
import { recordMedia } from "../media/archive";
import type { MediaKind } from "../media/sniff";
import type { MediaStore } from "../media/store";
import { LocalStore } from "../media/store-local";
import { createStore } from "../media/stores";
import { parseExportRequest } from "./request";
import { openExport, UTF8_BOM } from "./stream";
import { openZipExport, type ZipExportStream } from "./zip";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let dir: string;
let local: LocalStore;
/** serverId -> the video's id. */
const ids: Record<string, string> = {};
/** The files archived, by video id and kind. */
const archived: Record<string, Partial<Record<MediaKind, Buffer>>> = {};

type Seed = { serverId: string; fromWxId: string; fromNickName: string; sendTime: string };
// Newest first, as the export lists them: 5, 4, 3, 2, 1.
const SEEDS: Seed[] = [
  { serverId: "1", fromWxId: "wxid_a", fromNickName: '张三, "引号"', sendTime: "2024-09-01T10:00:00Z" },
  { serverId: "2", fromWxId: "wxid_a", fromNickName: "=1+2", sendTime: "2024-09-02T10:00:00Z" },
  { serverId: "3", fromWxId: "wxid_b", fromNickName: "小明 🎬", sendTime: "2024-09-03T10:00:00Z" },
  { serverId: "4", fromWxId: "wxid_b", fromNickName: "Bob", sendTime: "2024-09-04T10:00:00Z" },
  { serverId: "5", fromWxId: "wxid_c", fromNickName: "Carol", sendTime: "2024-09-05T10:00:00Z" },
];

/** Fake media with the right first bytes (mp4, QuickTime, JPEG); the rest random. */
const MP4 = (n: number) => Buffer.concat([Buffer.from("\0\0\0\x18ftypisom", "latin1"), randomBytes(n)]);
const MOV = (n: number) => Buffer.concat([Buffer.from("\0\0\0\x14ftypqt  ", "latin1"), randomBytes(n)]);
const JPEG = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(n)]);

async function keep(store: MediaStore, serverId: string, kind: MediaKind, bytes: Buffer, contentType: string) {
  const digest = sha256(bytes);
  await store.put(digest, Readable.from([bytes]), { contentType, bytes: bytes.length });
  await recordMedia(db.client, ids[serverId], kind, { sha256: digest, contentType, bytes: bytes.length }, "cdn");
  (archived[ids[serverId]] ??= {})[kind] = bytes;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zip-export-"));
  local = new LocalStore(join(dir, "data"));
  for (const s of SEEDS) {
    const body = { ...example, data: { ...example.data, ...s, localId: `l${s.serverId}`, sendTime: Date.parse(s.sendTime) } };
    expect(await receiveDelivery(db.client, Buffer.from(JSON.stringify(body)))).toMatchObject({ outcome: "stored" });
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text FROM video_events WHERE "serverId" = $1`, [s.serverId]);
    ids[s.serverId] = rows[0].id;
  }
  // 4: both archived; 3: the video only (QuickTime); 2: nothing; 1: both recorded, but the
  // preview's object is gone from the store.
  await keep(local, "4", "video", MP4(3 * 1024 * 1024), "video/mp4");
  await keep(local, "4", "preview", JPEG(20_000), "image/jpeg");
  await keep(local, "3", "video", MOV(100_000), "video/quicktime");
  await keep(local, "1", "video", MP4(50_000), "video/mp4");
  const lost = JPEG(999);
  await keep(local, "1", "preview", lost, "image/jpeg");
  await local.delete(sha256(lost));
  // What the archive says of the rest: 5's video waits for its first attempt, its preview was
  // never queued; 3's preview waits for a retry; 2's video expired, its preview failed.
  await archiveState("5", "video", "pending", null, null);
  await db.pool.query(`DELETE FROM media_archive WHERE "videoEventId" = $1 AND kind = 'preview'`, [ids["5"]]);
  await archiveState("3", "preview", "pending", "upstream_failed", "the CDN answered HTTP 503");
  await archiveState("2", "video", "expired", "link_expired", "the CDN answered HTTP 404: the link has expired or was revoked");
  await archiveState("2", "preview", "failed", "md5_mismatch", "md5 mismatch: the file's md5 is 0, the payload announced 1");
});

/** What the archive recorded for (video, kind). */
async function archiveState(serverId: string, kind: MediaKind, state: string, reason: string | null, error: string | null) {
  await db.pool.query(
    `INSERT INTO media_archive ("videoEventId", kind, state, reason, error, "receivedAt") VALUES ($1, $2::media_kind, $3::archive_state, $4, $5, now())
     ON CONFLICT ("videoEventId", kind) DO UPDATE SET state = EXCLUDED.state, reason = EXCLUDED.reason, error = EXCLUDED.error`,
    [ids[serverId], kind, state, reason, error],
  );
}
afterAll(() => rm(dir, { recursive: true, force: true }));

async function exportZip(query: string, store: MediaStore = local, pool: pg.Pool = db.pool): Promise<ReadZip> {
  const zip = await openZipExport(pool, store, parseExportRequest(new URLSearchParams(`format=zip&${query}`)));
  const path = join(dir, `${randomBytes(6).toString("hex")}.zip`);
  await pipeline(zip, createWriteStream(path));
  await zip.finished;
  return readZip(path);
}

async function csvExport(query: string): Promise<Buffer> {
  return readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams(`format=csv&${query}`))));
}

describe("the zip export", () => {
  it("holds videos.csv byte for byte as the CSV export, each archived file under videos/ and previews/, and missing.csv for the rest with its archive state and reason", async () => {
    const zip = await exportZip("");
    expect(zip.entries.map((e) => e.name)).toEqual([
      "videos.csv",
      `videos/${ids["4"]}.mp4`,
      `previews/${ids["4"]}.jpg`,
      `videos/${ids["3"]}.mov`,
      `videos/${ids["1"]}.mp4`,
      "missing.csv",
    ]);
    expect(entryBytes(zip, "videos.csv").equals(await csvExport(""))).toBe(true);
    for (const entry of zip.entries.filter((e) => e.name.includes("/"))) {
      const [folder, file] = entry.name.split("/");
      const bytes = archived[file.split(".")[0]][folder === "videos" ? "video" : "preview"]!;
      expect(entry.sha256, entry.name).toBe(sha256(bytes));
      expect(entry.size).toBe(bytes.length);
      // Stored, not deflated: media do not get smaller.
      expect(entry.method, entry.name).toBe(0);
    }
    for (const entry of zip.entries) expect(entry.flags & 0x800, entry.name).toBe(0x800);

    const missing = csvRecords(entryBytes(zip, "missing.csv").toString("utf8"));
    expect(missing).toEqual([
      { id: ids["5"], kind: "video", state: "pending", reason: "queued", detail: null },
      { id: ids["5"], kind: "preview", state: null, reason: "not_queued", detail: null },
      { id: ids["3"], kind: "preview", state: "pending", reason: "upstream_failed", detail: "the CDN answered HTTP 503" },
      { id: ids["2"], kind: "video", state: "expired", reason: "link_expired", detail: "the CDN answered HTTP 404: the link has expired or was revoked" },
      { id: ids["2"], kind: "preview", state: "failed", reason: "md5_mismatch", detail: "md5 mismatch: the file's md5 is 0, the payload announced 1" },
      { id: ids["1"], kind: "preview", state: "archived", reason: "not_in_store", detail: expect.stringMatching(/^the media store has no object [0-9a-f]{64}$/) },
    ]);
  });

  it("takes the export's filters and CSV options: the same videos, videos.csv as format=csv gives them", async () => {
    const query = "fromWxId=wxid_a&bom=1&includeSecrets=1";
    const zip = await exportZip(query);
    expect(zip.entries.map((e) => e.name)).toEqual(["videos.csv", `videos/${ids["1"]}.mp4`, "missing.csv"]);
    const csv = entryBytes(zip, "videos.csv");
    expect(csv.equals(await csvExport(query))).toBe(true);
    expect(csv.subarray(0, 3).equals(UTF8_BOM)).toBe(true);
    expect(csv.toString("utf8")).toContain("cdn_aes_key");
    const missing = entryBytes(zip, "missing.csv");
    expect(missing.subarray(0, 3).equals(UTF8_BOM)).toBe(true);
    expect(csvRecords(missing.subarray(3).toString("utf8")).map((r) => [r.id, r.kind])).toEqual([
      [ids["2"], "video"],
      [ids["2"], "preview"],
      [ids["1"], "preview"],
    ]);

    const none = await exportZip("fromWxId=nobody");
    expect(none.entries.map((e) => [e.name, e.size])).toEqual([
      ["videos.csv", (await csvExport("fromWxId=nobody")).length],
      ["missing.csv", "id,kind,state,reason,detail\n".length],
    ]);
  });

  it("stops reading the store and frees its connection when the reader goes away in the middle of a file", async () => {
    const pool = createPool(db.url, 2);
    const store = new WatchedStore(local);
    try {
      const temp = join(dir, "tmp-abort");
      await mkdir(temp);
      const zip = await openZipExport(pool, store, parseExportRequest(new URLSearchParams("format=zip&fromWxId=wxid_b")), { tempDir: temp });
      // Read past videos.csv into the 3 MiB video, then go away.
      await readUntil(zip, () => store.opened.length === 1);
      zip.destroy();
      expect(await zip.finished).toMatchObject({ aborted: true });
      expect(store.opened).toHaveLength(1);
      expect(store.opened[0].destroyed).toBe(true);
      await until(() => pool.totalCount === pool.idleCount);
      expect(await transactionsOpen()).toBe(0);
      // No temporary missing.csv is left behind.
      await until(async () => (await readdir(temp)).length === 0);
      // The pool serves the next export whole.
      const again = await exportZip("fromWxId=wxid_b", local, pool);
      expect(again.entries).toHaveLength(5);
    } finally {
      await pool.end();
    }
  });

  it("closes the connection when the reader goes away during videos.csv (a COPY cannot be left half read)", async () => {
    const pool = createPool(db.url, 2);
    try {
      // 20,000 more videos, all from wxid_0 (summaries untouched: see fillVideos).
      await fillVideos(db.pool, 20_000, { senders: 1 });
      const zip = await openZipExport(pool, local, parseExportRequest(new URLSearchParams("format=zip&fromWxId=wxid_0")));
      await new Promise((resolve) => zip.once("data", resolve));
      zip.pause();
      zip.destroy();
      expect(await zip.finished).toMatchObject({ aborted: true });
      await until(async () => pool.totalCount === 0);
      expect(await transactionsOpen()).toBe(0);
    } finally {
      const client = await db.pool.connect();
      await client.query("SET session_replication_role = replica");
      await client.query(`DELETE FROM video_events WHERE "fromWxId" = 'wxid_0'`);
      await client.query("RESET session_replication_role");
      client.release();
      await pool.end();
    }
  });
});

describe("the zip export from an S3 store", () => {
  let s3: S3TestServer;
  let store: MediaStore;
  beforeAll(async () => {
    s3 = await startS3Server();
    store = createStore({
      MEDIA_STORE: "s3",
      DATA_DIR: join(dir, "s3-data"),
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: "us-east-1",
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY_ID: "test",
      S3_SECRET_ACCESS_KEY: "test",
      S3_FORCE_PATH_STYLE: true,
      S3_PREFIX: "zip/",
    });
    // The same objects as the local store holds (the lost preview stays lost).
    for (const [id, kinds] of Object.entries(archived)) {
      for (const [kind, bytes] of Object.entries(kinds)) {
        if (id === ids["1"] && kind === "preview") continue;
        await store.put(sha256(bytes!), Readable.from([bytes!]), { contentType: "application/octet-stream" });
      }
    }
  });
  afterAll(() => s3?.stop());

  it("reads each archived file from the bucket", async () => {
    const fromS3 = await exportZip("", store);
    const fromDisk = await exportZip("");
    expect(fromS3.entries.map((e) => [e.name, e.sha256])).toEqual(fromDisk.entries.map((e) => [e.name, e.sha256]));
  });

  it("fails loudly, and frees its connection, when the store cannot be reached", async () => {
    const pool = createPool(db.url, 2);
    try {
      await s3.stop();
      const zip = await openZipExport(pool, store, parseExportRequest(new URLSearchParams("format=zip")));
      const read = pipeline(zip, createWriteStream(join(dir, "unreachable.zip")));
      await expect(zip.finished).rejects.toMatchObject({ reason: "store_unavailable" });
      await expect(read).rejects.toMatchObject({ reason: "store_unavailable" });
      await until(() => pool.totalCount === pool.idleCount);
      expect(await transactionsOpen()).toBe(0);
    } finally {
      await pool.end();
      await s3.start();
    }
  });
});

/** A real store whose reads are recorded, to see which were opened and whether they were stopped. */
class WatchedStore implements MediaStore {
  readonly opened: Readable[] = [];
  constructor(private readonly inner: MediaStore) {}
  get description() {
    return this.inner.description;
  }
  putFile: MediaStore["putFile"] = (...a) => this.inner.putFile(...a);
  put: MediaStore["put"] = (...a) => this.inner.put(...a);
  stat: MediaStore["stat"] = (...a) => this.inner.stat(...a);
  delete: MediaStore["delete"] = (...a) => this.inner.delete(...a);
  list: MediaStore["list"] = () => this.inner.list();
  check: MediaStore["check"] = () => this.inner.check();
  read: MediaStore["read"] = async (...a) => {
    const stream = await this.inner.read(...a);
    this.opened.push(stream);
    return stream;
  };
}

async function transactionsOpen(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`,
  );
  return rows[0].n;
}

async function until(check: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads `stream` until `check()` holds, then pauses it. */
async function readUntil(stream: ZipExportStream, check: () => boolean) {
  await new Promise<void>((resolve, reject) => {
    const take = () => {
      if (!check()) return;
      stream.off("data", take);
      stream.pause();
      resolve();
    };
    stream.on("data", take);
    stream.once("error", reject);
  });
}
