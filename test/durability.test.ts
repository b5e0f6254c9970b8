// The durability promise, end to end against the production build: every callback answered 200
// is stored exactly once, through a database outage and through a kill -9 of the app during the
// spool's replay. Needs `next build` first (npm test builds before the unit tests).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countStored, runLoad, type LoadReport } from "../scripts/load";
import { startAppServer, type AppServer } from "./support/app-server";
import { health, killAppHard, startRestartablePostgres, waitFor, type RestartablePostgres } from "./durability-helpers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    const app = await startApp(newDataDir());
    const stream = runLoad({ url: app.url, rate: 80, durationS: 7, connections: 20 });
    await sleep(1500);
    await db.stop();
    const during = await waitFor("deliveries to be spooled", async () => {
      const h = await health(app.url);
      return h.spoolDepth > 0 && h;
    });
    expect(during).toMatchObject({ httpStatus: 200, status: "degraded" });
    expect(during.database).toMatch(/unreachable/);
    await sleep(2500);
    await db.start();
    const report = await stream;

    expect(report.errors).toBe(0);
    expect(report.ok).toBe(report.sent);
    expect(report.ok).toBeGreaterThan(400);
    await waitFor("the spool to drain", async () => (await health(app.url)).status === "ok", 20_000);
    expect(await countStored(db.url, report)).toEqual({ rows: report.ok, okStored: report.ok });
    expect(await deliveriesOf(report)).toEqual({ deliveries: report.ok, distinctKeys: report.ok });
  }, 60_000);

  it("still stores each exactly once when the app is killed -9 while replaying its spool", async () => {
    const dataDir = newDataDir();
    // Small replay statements, so the replay lasts long enough to be interrupted.
    const env = { SPOOL_DRAIN_BATCH: "2" };
    let app = await startApp(dataDir, env);
    await db.stop();
    const report = await runLoad({ url: app.url, rate: 0, durationS: 2, connections: 20 });
    expect(report.errors).toBe(0);
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

  it("shuts down gracefully: answers in flight finish, every 200 is stored, one JSON log line per callback without the token", async () => {
    const token = "s3cret-callback-token";
    const app = await startApp(newDataDir(), { CALLBACK_TOKEN: token, LOG_LEVEL: "info" });
    const stream = runLoad({ url: app.url, rate: 100, durationS: 4, connections: 10, token });
    await sleep(1500);
    const stopping = app.stop();
    const report = await stream;
    await stopping;

    expect(report.ok).toBeGreaterThan(10);
    expect(await countStored(db.url, report)).toEqual({ rows: report.ok, okStored: report.ok });
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
    expect(lines.some((l) => l.msg?.startsWith("spool drain and retention stopped"))).toBe(true);
  }, 60_000);
});
