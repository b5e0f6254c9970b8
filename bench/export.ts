// npm run bench:export -- [--rows 1000000] [--runs 3]
// Exports N videos as CSV through the production server (GET /api/export) and compares its rate
// with PostgreSQL's own COPY ... TO STDOUT of the same rows, measured in the same run; samples
// the server's memory meanwhile. Creates its own database and drops it at the end.
// Needs a build (`npx next build`); builds when none exists.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { to as copyTo } from "pg-copy-streams";
import { createPool } from "../lib/db/client";
import { exportCopySql } from "../lib/export/query";
import { parseExportRequest } from "../lib/export/request";
import { fillVideos } from "../test/support/export-readers";
import { listenerPid, startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase, startTestServer } from "../test/support/postgres";

const GOAL_RATIO = 0.5;
const GOAL_RSS_MB = 250;

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" } } });
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const say = (line: string) => console.log(line);

/** Discards bytes, counting them. */
function sink() {
  let bytes = 0;
  let firstAt = 0;
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      if (!firstAt) firstAt = performance.now();
      bytes += chunk.length;
      cb();
    },
  });
  return { stream, bytes: () => bytes, firstAt: () => firstAt };
}

function memoryKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

async function timeCopy(url: string, sql: string, setup?: string) {
  const pool = createPool(url, 1);
  const client = await pool.connect();
  try {
    if (setup) await client.query(setup);
    const out = sink();
    const started = performance.now();
    await pipeline(client.query(copyTo(sql)), out.stream);
    return { seconds: (performance.now() - started) / 1000, bytes: out.bytes(), firstByteMs: out.firstAt() - started };
  } finally {
    client.release();
    await pool.end();
  }
}

async function timeHttp(app: AppServer, pid: number, query: string) {
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, memoryKb(pid, "VmRSS"))), 20);
  try {
    const started = performance.now();
    const res = await fetch(`${app.url}/api/export?${query}`);
    if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    const out = sink();
    await pipeline(res.body, out.stream);
    return { seconds: (performance.now() - started) / 1000, bytes: out.bytes(), firstByteMs: out.firstAt() - started, peakKb };
  } finally {
    clearInterval(sampler);
  }
}

async function main() {
  if (!existsSync(".next/BUILD_ID")) {
    say("no build found: running next build");
    const built = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) throw new Error("next build failed");
  }
  const server = await startTestServer();
  const db = await createDatabase(server.adminUrl, { prefix: "vd_bench_export" });
  let app: AppServer | undefined;
  try {
    const pool = createPool(db.url, 2);
    const started = performance.now();
    await fillVideos(pool, ROWS);
    await pool.query("VACUUM ANALYZE video_events");
    await pool.end();
    say(`filled ${ROWS.toLocaleString("en")} videos in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    app = await startAppServer({ DATABASE_URL: db.url, LOG_LEVEL: "warn" });
    const pid = listenerPid(app.port);
    const idleKb = memoryKb(pid, "VmRSS");
    await timeHttp(app, pid, "format=csv&fromWxId=wxid_1"); // warm the route up

    const copyRuns = [];
    const directRuns = [];
    const httpRuns = [];
    const exportSql = exportCopySql(parseExportRequest(new URLSearchParams("format=csv")));
    for (let run = 0; run < RUNS; run += 1) {
      copyRuns.push(await timeCopy(db.url, `COPY video_events TO STDOUT WITH (FORMAT csv)`));
      directRuns.push(await timeCopy(db.url, exportSql, "SET enable_sort = off"));
      httpRuns.push(await timeHttp(app, pid, "format=csv"));
      say(`run ${run + 1}: COPY ${(ROWS / copyRuns[run].seconds).toFixed(0)} rows/s, export ${(ROWS / httpRuns[run].seconds).toFixed(0)} rows/s`);
    }
    const others = [];
    for (const format of ["ndjson", "json"]) others.push({ format, ...(await timeHttp(app, pid, `format=${format}`)) });

    const copyRate = ROWS / median(copyRuns.map((r) => r.seconds));
    const exportRate = ROWS / median(httpRuns.map((r) => r.seconds));
    const peakMb = Math.max(...httpRuns.map((r) => r.peakKb), ...others.map((r) => r.peakKb), memoryKb(pid, "VmHWM")) / 1024;
    const ratio = exportRate / copyRate;
    say("");
    say(`rows: ${ROWS.toLocaleString("en")} (medians of ${RUNS} runs)`);
    say(`COPY video_events TO STDOUT (csv):    ${copyRate.toFixed(0)} rows/s, ${(median(copyRuns.map((r) => r.bytes)) / 2 ** 20).toFixed(0)} MiB`);
    const directRate = ROWS / median(directRuns.map((r) => r.seconds));
    say(`the export's own COPY, without server: ${directRate.toFixed(0)} rows/s (the server keeps ${((exportRate / directRate) * 100).toFixed(0)}% of it)`);
    say(`GET /api/export?format=csv:           ${exportRate.toFixed(0)} rows/s, ${(median(httpRuns.map((r) => r.bytes)) / 2 ** 20).toFixed(0)} MiB, first byte after ${median(httpRuns.map((r) => r.firstByteMs)).toFixed(0)} ms`);
    for (const o of others) say(`GET /api/export?format=${o.format}:${" ".repeat(8 - o.format.length)}${(ROWS / o.seconds).toFixed(0)} rows/s, ${(o.bytes / 2 ** 20).toFixed(0)} MiB, first byte after ${o.firstByteMs.toFixed(0)} ms`);
    say(`ratio to COPY: ${ratio.toFixed(2)} (goal >= ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? "met" : "NOT met"}; issue 8 asks 0.6: ${ratio >= 0.6 ? "met" : "NOT met"})`);
    say(`server RSS: ${(idleKb / 1024).toFixed(0)} MB idle, peak ${peakMb.toFixed(0)} MB (goal < ${GOAL_RSS_MB} MB: ${peakMb < GOAL_RSS_MB ? "met" : "NOT met"})`);
  } finally {
    await app?.stop();
    await db.drop();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
