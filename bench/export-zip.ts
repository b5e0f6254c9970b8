// npx tsx bench/export-zip.ts [--quick] [--gib 5] [--no-verify]
// GET /api/export?format=zip through the production server, with about 5 GiB of archived videos
// in its local media store, sampling the server's RSS every 20 ms (goal: < 300 MB, issue 25).
// Baseline in the same run: the same files read straight from the store, without the app.
// The zip is written to a temporary file and read back whole by Python's zipfile (CRC of every
// entry; ZIP64 past 4 GiB), and by `unzip -t` when the machine has it; --no-verify discards it.
// --quick: 0.5 GiB. Creates its own database and data directory, and removes both at the end.
// Needs a build (`npx next build`); builds when none exists.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createPool } from "../lib/db/client";
import { LocalStore } from "../lib/media/store-local";
import { fillVideos } from "../test/support/export-readers";
import { listenerPid, startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase, startTestServer } from "../test/support/postgres";
import { readZip } from "../test/support/zip-reader";
import { ensureBuild } from "./lib/setup";

const GOAL_RSS_MB = 300;
const VIDEO_BYTES = 40 * 2 ** 20;
const PREVIEW_BYTES = 30_000;
/** Distinct objects: the store is content-addressed, so many videos share a few files (1 GiB of disk for 5 GiB of zip). */
const DISTINCT_VIDEOS = 25;
const DISTINCT_PREVIEWS = 10;

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, gib: { type: "string" }, "no-verify": { type: "boolean", default: false } } });
const GIB = Number(values.gib ?? (values.quick ? 0.5 : 5));
const VIDEOS = Math.ceil((GIB * 2 ** 30) / (VIDEO_BYTES + PREVIEW_BYTES));
const say = (line: string) => console.log(line);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function memoryKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

function counter() {
  let bytes = 0;
  const stream = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  return { stream, bytes: () => bytes };
}

/** Media-looking bytes: an mp4 or JPEG signature, then random data. */
function fakeMedia(kind: "video" | "preview", bytes: number): Buffer {
  const head = kind === "video" ? Buffer.from("\0\0\0\x18ftypisom", "latin1") : Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
  return Buffer.concat([head, randomBytes(bytes - head.length)]);
}

async function main() {
  ensureBuild(false);
  const server = await startTestServer();
  const db = await createDatabase(server.adminUrl, { prefix: "vd_bench_zip" });
  const dataDir = await mkdtemp(join(tmpdir(), "bench-zip-data-"));
  const zipPath = join(dataDir, "export.zip");
  let app: AppServer | undefined;
  try {
    // The videos (fillVideos' rows), then their files: DISTINCT_VIDEOS objects of 40 MiB and
    // DISTINCT_PREVIEWS of 30 kB in DATA_DIR/media, and a media_files row per video and kind.
    const pool = createPool(db.url, 2);
    const started = performance.now();
    await fillVideos(pool, VIDEOS, { senders: 1 });
    const store = new LocalStore(dataDir);
    const objects = { video: [] as string[], preview: [] as string[] };
    for (const [kind, count, bytes] of [["video", DISTINCT_VIDEOS, VIDEO_BYTES], ["preview", DISTINCT_PREVIEWS, PREVIEW_BYTES]] as const) {
      for (let i = 0; i < Math.min(count, VIDEOS); i++) {
        const body = fakeMedia(kind, bytes);
        const name = createHash("sha256").update(body).digest("hex");
        await store.put(name, Readable.from([body]));
        objects[kind].push(name);
      }
    }
    await pool.query(
      `INSERT INTO media_files ("videoEventId", kind, sha256, "contentType", bytes, source)
       SELECT v.id, k.kind::media_kind,
              CASE k.kind WHEN 'video' THEN ($1::text[])[(1 + v.n % cardinality($1::text[]))::int] ELSE ($2::text[])[(1 + v.n % cardinality($2::text[]))::int] END,
              CASE k.kind WHEN 'video' THEN 'video/mp4' ELSE 'image/jpeg' END,
              CASE k.kind WHEN 'video' THEN $3::bigint ELSE $4::bigint END, 'cdn'
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM video_events) v, (VALUES ('video'), ('preview')) AS k(kind)`,
      [objects.video, objects.preview, VIDEO_BYTES, PREVIEW_BYTES],
    );
    await pool.query("VACUUM ANALYZE video_events");
    await pool.end();
    const expected = VIDEOS * (VIDEO_BYTES + PREVIEW_BYTES);
    say(`${VIDEOS} videos with a 40 MiB video and a 30 kB preview each (${(expected / 2 ** 30).toFixed(2)} GiB of files; ${DISTINCT_VIDEOS + DISTINCT_PREVIEWS} distinct objects on disk), ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Baseline: the same files, in the same order of reads, straight from the store.
    const baseStarted = performance.now();
    let baseBytes = 0;
    for (let i = 0; i < VIDEOS; i++) {
      for (const kind of ["video", "preview"] as const) {
        const out = counter();
        await pipeline(await store.read(objects[kind][i % objects[kind].length]), out.stream);
        baseBytes += out.bytes();
      }
    }
    const baseSeconds = (performance.now() - baseStarted) / 1000;

    app = await startAppServer({ DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: "warn" });
    const pid = listenerPid(app.port);
    // Warm the route up with an empty zip.
    await (await fetch(`${app.url}/api/export?format=zip&fromWxId=nobody`)).arrayBuffer();
    const idleKb = memoryKb(pid, "VmRSS");
    let peakKb = idleKb;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, memoryKb(pid, "VmRSS"))), 20);
    const zipStarted = performance.now();
    let zipBytes = 0;
    try {
      const res = await fetch(`${app.url}/api/export?format=zip`);
      if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}: ${await res.text()}`);
      const out = values["no-verify"] ? counter() : null;
      await pipeline(Readable.fromWeb(res.body as never), out ? out.stream : createWriteStream(zipPath));
      zipBytes = out ? out.bytes() : (await stat(zipPath)).size;
    } finally {
      clearInterval(sampler);
    }
    const zipSeconds = (performance.now() - zipStarted) / 1000;
    peakKb = Math.max(peakKb, memoryKb(pid, "VmHWM"));
    const peakMb = peakKb / 1024;

    say("");
    say(`store read directly (baseline):   ${(baseBytes / 2 ** 30).toFixed(2)} GiB in ${baseSeconds.toFixed(1)} s, ${mb(baseBytes / baseSeconds)} MB/s`);
    say(`GET /api/export?format=zip:       ${(zipBytes / 2 ** 30).toFixed(2)} GiB in ${zipSeconds.toFixed(1)} s, ${mb(zipBytes / zipSeconds)} MB/s (ratio to the baseline: ${(baseSeconds / zipSeconds).toFixed(2)})`);
    say(`server RSS: ${(idleKb / 1024).toFixed(0)} MB idle, peak ${peakMb.toFixed(0)} MB during the zip (goal < ${GOAL_RSS_MB} MB: ${peakMb < GOAL_RSS_MB ? "MET" : "NOT MET"})`);
    if (!values["no-verify"]) {
      const verifyStarted = performance.now();
      const read = await readZip(zipPath);
      const files = read.entries.filter((e) => e.name.startsWith("videos/") || e.name.startsWith("previews/"));
      const complete = files.length === 2 * VIDEOS && read.entries[0]?.name === "videos.csv" && read.entries.at(-1)?.name === "missing.csv";
      const zip64Needed = zipBytes > 0xfffffffe;
      const zip64Ok = !zip64Needed || (read.zip64 && read.zip64Entries > 0);
      say(`Python zipfile read every entry (CRC-checked): ${read.entries.length} entries, ${files.length} files${zip64Needed ? `, ZIP64 (${read.zip64Entries} entries past 4 GiB)` : ""} in ${((performance.now() - verifyStarted) / 1000).toFixed(0)} s: ${complete && zip64Ok ? "MET" : "NOT MET"}`);
      const unzip = spawnSync("unzip", ["-tq", zipPath], { encoding: "utf8" });
      if (unzip.error) say("unzip -t: unzip is not installed, not run");
      else say(`unzip -t: ${unzip.stdout.trim().split("\n").at(-1)}: ${unzip.status === 0 ? "MET" : "NOT MET"}`);
    }
  } finally {
    await app?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await db.drop();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
