// The poison pills of issue 24 (test/support/poison.ts) against the production build, over HTTP,
// with a PostgreSQL of the test's own that is really stopped: sent directly; sent while the
// database is down (spooled) and drained once it is back; and spooled by an app killed -9 during
// the outage, then drained by a new app on the same DATA_DIR. Each pill is answered 400 and kept
// once; the ordinary video sent after it is stored and /api/health says ok. (lib/ingest/poison.test.ts
// takes each pill on each path separately against the receiver.) Needs `next build` first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { ordinaryVideo, PILLS } from "./support/poison";
import { health, killAppHard, startRestartablePostgres, waitFor, type RestartablePostgres } from "./durability-helpers";

let db: RestartablePostgres;
let client: pg.Client;
const apps: AppServer[] = [];
const dataDirs: string[] = [];

beforeAll(async () => {
  db = await startRestartablePostgres();
  client = new pg.Client({ connectionString: db.url });
  client.on("error", () => {});
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end().catch(() => {});
  for (const app of apps) await app.stop();
  for (const dir of dataDirs) killAppHard(dir);
  await db?.destroy();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function startApp(dataDir: string): Promise<AppServer> {
  // The default body limit (1 MiB): the deepest pill is 300 kB.
  const app = await startAppServer({ DATABASE_URL: db.url, DATA_DIR: dataDir });
  apps.push(app);
  return app;
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "poison-http-"));
  dataDirs.push(dir);
  return dir;
}

/** Runs `work` with PostgreSQL stopped, and starts it again whatever happens. */
async function duringOutage<T>(work: () => Promise<T>): Promise<T> {
  await db.stop();
  try {
    return await work();
  } finally {
    await db.start();
  }
}

const post = (app: AppServer, body: Buffer) => fetch(`${app.url}/api/callback`, { method: "POST", body: new Uint8Array(body) }).then(async (res) => ({ status: res.status, body: await res.json() }));

/** Each pill then an ordinary video, in that order; returns the videos' serverIds. */
async function sendPills(app: AppServer, path: string): Promise<string[]> {
  const next: string[] = [];
  for (const [i, pill] of PILLS.entries()) {
    const marker = `http-${path}-${i}`;
    expect(await post(app, pill.body(marker)), pill.name).toMatchObject({ status: 400, body: { error: expect.stringMatching(pill.error) } });
    expect((await post(app, ordinaryVideo(`${marker}-next`))).status, `the video after ${pill.name}`).toBe(200);
    next.push(`${marker}-next`);
  }
  return next;
}

/** What the issue asks after each pill: the next video stored, health ok; and each pill kept once, never a video. */
async function expectNothingWaits(app: AppServer, path: string, next: string[]) {
  const db = await connected();
  // A generous wait for an outcome, not a timing: under load a replay may take longer than a second.
  await waitFor("every video sent after a pill to be stored", async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM video_events WHERE "serverId" = ANY($1)`, [next]);
    return rows[0].n === next.length;
  }, 30_000);
  await waitFor("health to be ok", async () => {
    const h = await health(app.url);
    return h.status === "ok" && h.spoolDepth === 0;
  }, 30_000);
  for (const [i, pill] of PILLS.entries()) {
    const { rows } = await db.query(`SELECT outcome::text, "httpStatus" FROM deliveries WHERE body LIKE '%' || $1 || '%'`, [`http-${path}-${i}"`]);
    expect(rows, pill.name).toEqual([{ outcome: "rejected", httpStatus: 400 }]);
  }
  const videos = await db.query(`SELECT count(*)::int AS n FROM video_events WHERE "serverId" LIKE $1 AND "serverId" NOT LIKE '%-next'`, [`http-${path}-%`]);
  expect(videos.rows[0].n).toBe(0);
}

/** The test's own connection, opened again after an outage ended it. */
async function connected(): Promise<pg.Client> {
  if (await client.query("SELECT 1").then(() => true, () => false)) return client;
  await client.end().catch(() => {});
  client = new pg.Client({ connectionString: db.url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

describe("poison pills over HTTP", () => {
  it("sent directly: each answered 400, the video after each answered 200 and stored, health ok", async () => {
    const app = await startApp(newDataDir());
    const next = await sendPills(app, "direct");
    await expectNothingWaits(app, "direct", next);
  }, 120_000);

  it("sent while PostgreSQL is stopped: each 400, the videos spooled behind them stored once it is back, health ok", async () => {
    const app = await startApp(newDataDir());
    const next = await duringOutage(async () => {
      const sent = await sendPills(app, "outage");
      expect((await health(app.url)).spoolDepth).toBe(2 * PILLS.length);
      return sent;
    });
    await expectNothingWaits(app, "outage", next);
  }, 120_000);

  it("spooled by an app killed -9 during the outage: a new app on the same DATA_DIR drains them, health ok", async () => {
    const dataDir = newDataDir();
    const first = await startApp(dataDir);
    const next = await duringOutage(async () => {
      const sent = await sendPills(first, "restart");
      expect(killAppHard(dataDir)).toBeGreaterThan(0);
      return sent;
    });
    const second = await startApp(dataDir);
    await expectNothingWaits(second, "restart", next);
  }, 180_000);
});
