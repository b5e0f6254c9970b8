// The durability promise, end to end against the production build: every callback answered 200
// is stored exactly once, through a database outage and through a kill -9 of the app during the
// spool's replay. Needs `next build` first (npm test builds before the unit tests).
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countStored, runLoad, type LoadReport } from "../scripts/load";
import { startAppServer, type AppServer } from "./support/app-server";
import { health, killAppHard, startRestartablePostgres, waitFor, type RestartablePostgres } from "./durability-helpers";

let db: RestartablePostgres;
const apps: AppServer[] = [];
const dataDirs: string[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "durability-data-"));
  dataDirs.push(dir);
  return dir;
}

async function startApp(dataDir: string, env: Record<string, string> = {}): Promise<AppServer> {
  const app = await startAppServer({ DATABASE_URL: db.url, DATA_DIR: dataDir, ...env });
  apps.push(app);
  return app;
}

/** Deliveries rows linked to the run's videos: one per callback answered, even after replays. */
async function deliveriesOf(report: LoadReport): Promise<{ deliveries: number; distinctKeys: number }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*)::int AS deliveries, count(DISTINCT v."messageKey")::int AS "distinctKeys"
       FROM deliveries d JOIN video_events v ON v.id = d."videoEventId" WHERE v."instanceId" = $1`,
      [report.instanceId],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

/** A load run that says whether it is still going: "mid-stream" must really be mid-stream. */
function streaming(options: Parameters<typeof runLoad>[0]) {
  const instanceId = options.instanceId ?? `durability-${Math.random().toString(36).slice(2, 10)}`;
  let done = false;
  const report = runLoad({ ...options, instanceId }).finally(() => (done = true));
  return { instanceId, report, running: () => !done };
}

/** Waits until the run has `n` rows stored. */
function storedAtLeast(instanceId: string, n: number) {
  return waitFor(`${n} rows of ${instanceId} to be stored`, async () => {
    const { rows } = await countStored(db.url, { instanceId, okKeys: [] } as unknown as LoadReport);
    return rows >= n;
  });
}

beforeAll(async () => {
  db = await startRestartablePostgres();
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.stop();
  for (const dir of dataDirs) killAppHard(dir);
  await db?.destroy();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe("durable ingest", () => {
  it("stores every delivery answered 200 exactly once when PostgreSQL stops and starts mid-stream", async () => {
    // As an earlier version left it: readable by everyone. The server makes it private at start.
    const dataDir = newDataDir();
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dataDir, "media"), { mode: 0o755 });
    writeFileSync(join(dataDir, "media", "a".repeat(64)), "decrypted video", { mode: 0o644 });
    const app = await startApp(dataDir);
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    await waitFor("DATA_DIR to be made private", async () => mode(dataDir) === "700" && mode(join(dataDir, "media", "a".repeat(64))) === "600");
    expect(mode(join(dataDir, "media"))).toBe("700");
    const stream = streaming({ url: app.url, rate: 80, durationS: 15, connections: 20 });
    await storedAtLeast(stream.instanceId, 20);
    await db.stop();
    const during = await waitFor("50 deliveries to be spooled", async () => {
      const h = await health(app.url);
      return h.spoolDepth >= 50 && h;
    });
    expect(during).toMatchObject({ httpStatus: 200, status: "degraded" });
    const segments = readdirSync(join(dataDir, "spool"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ndjson"));
    expect(segments.length).toBeGreaterThan(0);
    for (const f of [...segments, ...segments.map((f) => join(f, "..", "owner"))]) expect(mode(join(dataDir, "spool", f))).toBe("600");
    expect(during.database).toMatch(/unreachable/);
    expect(stream.running()).toBe(true);
    await db.start();
    // Still going: deliveries arrive while the spool replays.
    await storedAtLeast(stream.instanceId, during.spoolDepth + 40);
    expect(stream.running()).toBe(true);
    const report = await stream.report;

    expect(report.errors, JSON.stringify(report.answered)).toBe(0);
    expect(report.ok).toBe(report.sent);
    expect(report.ok).toBeGreaterThan(400);
    await waitFor("the spool to drain", async () => (await health(app.url)).status === "ok", 20_000);
    expect(await countStored(db.url, report)).toEqual({ rows: report.ok, okStored: report.ok });
    expect(await deliveriesOf(report)).toEqual({ deliveries: report.ok, distinctKeys: report.ok });
  }, 90_000);

  it("two processes on one DATA_DIR, both under load through a database outage, one killed -9 with a spool: every 200 stored once", async () => {
    const dataDir = newDataDir();
    const [a, b] = [await startApp(dataDir, { APP_TAG: "a" }), await startApp(dataDir, { APP_TAG: "b" })];
    const streamA = streaming({ url: a.url, rate: 50, durationS: 15, connections: 10 });
    const streamB = streaming({ url: b.url, rate: 50, durationS: 15, connections: 10 });
    await Promise.all([storedAtLeast(streamA.instanceId, 20), storedAtLeast(streamB.instanceId, 20)]);
    await db.stop();
    // Both spool, each into a directory of its own.
    await waitFor("both to spool", async () => (await health(a.url)).spoolDepth >= 30 && (await health(b.url)).spoolDepth >= 30);
    expect(streamA.running() && streamB.running()).toBe(true);
    // A dies with deliveries answered 200 in its spool; B must find and drain them.
    expect(killAppHard(dataDir, "APP_TAG=a")).toBeGreaterThan(0);
    await db.start();
    const [reportA, reportB] = await Promise.all([streamA.report, streamB.report]);

    expect(reportB.errors, JSON.stringify(reportB.answered)).toBe(0);
    expect(reportA.ok).toBeGreaterThan(40);
    await waitFor("B to drain both spools", async () => (await health(b.url)).status === "ok" && readdirSync(join(dataDir, "spool")).length === 1, 30_000);
    // A's answers after the kill never came: only what it answered 200 must be there, once.
    const storedA = await countStored(db.url, reportA);
    expect(storedA.okStored).toBe(reportA.ok);
    expect(await deliveriesOf(reportA)).toEqual({ deliveries: storedA.rows, distinctKeys: storedA.rows });
    expect(await countStored(db.url, reportB)).toEqual({ rows: reportB.ok, okStored: reportB.ok });
    expect(await deliveriesOf(reportB)).toEqual({ deliveries: reportB.ok, distinctKeys: reportB.ok });
  }, 120_000);

  it("a database that hangs (SIGSTOP for 8 s) under 80 callbacks/s: no 5xx, every 200 stored once", async () => {
    const app = await startApp(newDataDir());
    const stream = streaming({ url: app.url, rate: 80, durationS: 16, connections: 100 });
    await storedAtLeast(stream.instanceId, 40);
    db.freeze();
    const frozenAt = Date.now();
    try {
      await waitFor("deliveries to be spooled while the database hangs", async () => (await health(app.url)).spoolDepth > 0, 15_000);
      await new Promise((r) => setTimeout(r, Math.max(0, 8_000 - (Date.now() - frozenAt))));
    } finally {
      db.thaw();
    }
    expect(stream.running()).toBe(true);
    const report = await stream.report;
    expect(Object.keys(report.answered)).toEqual(["200"]);
    await waitFor("the spool to drain", async () => (await health(app.url)).status === "ok", 30_000);
    expect(await countStored(db.url, report)).toEqual({ rows: report.ok, okStored: report.ok });
    expect(await deliveriesOf(report)).toEqual({ deliveries: report.ok, distinctKeys: report.ok });
  }, 120_000);

  it("still stores each exactly once when the app is killed -9 while replaying its spool", async () => {
    const dataDir = newDataDir();
    // Small replay statements, so the replay lasts long enough to be interrupted.
    const env = { SPOOL_DRAIN_BATCH: "2" };
    let app = await startApp(dataDir, env);
    await db.stop();
    const report = await runLoad({ url: app.url, rate: 0, durationS: 2, connections: 20 });
    expect(report.errors, JSON.stringify(report.answered)).toBe(0);
    expect((await health(app.url)).spoolDepth).toBe(report.ok);

    await db.start();
    const partial = await waitFor("the replay to begin", async () => {
      const { rows } = await countStored(db.url, report);
      return rows > 0 && rows;
    }, 20_000, 10);
    expect(killAppHard(dataDir)).toBeGreaterThan(0);
    expect(partial).toBeGreaterThan(0);
    // Killed before the replay was done: part of the spool is still to be replayed.
    expect((await countStored(db.url, report)).rows).toBeLessThan(report.ok);

    app = await startApp(dataDir, env);
    await waitFor("the spool to drain after the restart", async () => (await health(app.url)).status === "ok", 30_000);
    expect(await countStored(db.url, report)).toEqual({ rows: report.ok, okStored: report.ok });
    expect(await deliveriesOf(report)).toEqual({ deliveries: report.ok, distinctKeys: report.ok });
  }, 60_000);

  it("logs every callback it answered 200, even when its log reader stalls and it is then killed -9", async () => {
    const app = await startApp(newDataDir(), { LOG_LEVEL: "info" });
    const stream = streaming({ url: app.url, rate: 400, durationS: 15, connections: 10 });
    const stored = async () => (await countStored(db.url, { instanceId: stream.instanceId, okKeys: [] } as unknown as LoadReport)).rows;
    await storedAtLeast(stream.instanceId, 100);
    const before = await stored();
    app.holdOutput();
    // Its stdout fills up. An app that writes each line before answering then stops answering; one
    // that buffers lines goes on answering, far past what the pipe holds (1,500 lines: about 200 KB).
    await waitFor("1,500 more stored, or the app to stop answering while its log reader is stalled", async () => {
      if ((await stored()) >= before + 1500) return true;
      return fetch(`${app.url}/api/health`, { signal: AbortSignal.timeout(3000) }).then(() => false, () => true);
    }, 60_000);
    const exit = await app.stop({ signal: "SIGKILL" });
    const report = await stream.report;
    expect(exit.signal).toBe("SIGKILL");
    expect(report.ok).toBeGreaterThan(100);
    expect((await countStored(db.url, report)).okStored).toBe(report.ok);
    const logged = app
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{") && JSON.parse(l).msg === "callback").length;
    expect(logged).toBeGreaterThanOrEqual(report.ok);
  }, 90_000);

  it("shuts down gracefully: answers in flight finish, every 200 is stored, one JSON log line per callback without the token", async () => {
    const token = "s3cret-callback-token";
    const app = await startApp(newDataDir(), { CALLBACK_TOKEN: token, LOG_LEVEL: "info" });
    const stream = streaming({ url: app.url, rate: 100, durationS: 6, connections: 10, token });
    await storedAtLeast(stream.instanceId, 20);
    // Requests in flight are answered (with Connection: close), connections still open after the
    // grace period are closed, and the app exits by itself: SIGKILL only if it has not within 60 s,
    // which fails this test.
    const stopping = app.stop({ graceMs: 60_000 });
    const report = await stream.report;
    const exit = await stopping;
    expect(exit).toMatchObject({ killed: false, code: 143 });

    expect(report.ok).toBeGreaterThan(10);
    // Every answer was a 200; what went unanswered was refused a connection once the server had closed.
    expect(Object.keys(report.answered).filter((k) => /^\d+$/.test(k))).toEqual(["200"]);
    expect(Object.keys(report.answered).filter((k) => k !== "200").every((k) => /ECONNREFUSED|ECONNRESET|socket hang up/.test(k))).toBe(true);
    // Every 200 is stored; a request can be stored whose answer never came (its connection closed
    // first, and the provider may retry it), never the reverse.
    const stored = await countStored(db.url, report);
    expect(stored.okStored).toBe(report.ok);
    expect(stored.rows).toBeLessThanOrEqual(report.ok + report.errors);
    // stop() resolved once the app's stdout was closed: every line it wrote is here.
    const lines = app
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    const callbacks = lines.filter((l) => l.msg === "callback");
    expect(callbacks.length).toBeGreaterThanOrEqual(report.ok);
    expect(callbacks[0]).toMatchObject({ level: 30, method: "POST", status: 200, event: "20004", outcome: "stored", ms: expect.any(Number) });
    expect(callbacks[0].path).toBe("/api/callback?token=[redacted]");
    expect(app.output()).not.toContain(token);
    expect(lines.some((l) => l.msg === "background work stopped")).toBe(true);
  }, 120_000);
});
