// Poison pills (issue 24) against the receiver and a real PostgreSQL, on each path a delivery can
// take: stored directly; spooled during an outage and drained after; spooled, then drained by the
// next receiver on the same DATA_DIR; and a spool an earlier version wrote, which answered them
// 200. Each pill is refused (400, kept in the deliveries log as received), and the ordinary video
// after it is stored and health is ok: nothing waits behind it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../../test/support/cleanup";
import { useTestDatabase } from "../../test/support/db";
import { databaseBehindProxy } from "../../test/support/db-proxy";
import { ordinaryVideo, PILLS, type Pill } from "../../test/support/poison";
import { waitFor } from "../../test/durability-helpers";
import { checkHealth } from "../health";
import { decode } from "./body-text";
import { Ingestor, type IngestorOptions } from "./ingestor";

const db = useTestDatabase();
const cleanup = useCleanup();

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "poison-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function startIngestor(options: Partial<IngestorOptions> & { databaseUrl: string }): Promise<Ingestor> {
  const ingestor = await Ingestor.start({ dataDir: await newDataDir(), retryMs: 100, ...options });
  cleanup.push(() => ingestor.close(0));
  return ingestor;
}

let markers = 0;
const markerFor = (path: string) => `${path}-${process.pid}-${++markers}`;

/** The pill's deliveries rows, found by its marker. */
async function recorded(marker: string) {
  const { rows } = await db.pool.query(
    `SELECT outcome::text, "httpStatus", error, body, "videoEventId" FROM deliveries WHERE body LIKE '%' || $1 || '%' ORDER BY id`,
    [marker],
  );
  return rows as { outcome: string; httpStatus: number; error: string | null; body: string | null; videoEventId: string | null }[];
}

/** The condition the issue names: the next ordinary video is stored, and health is ok (spool empty). */
async function nextVideoStoredAndHealthy(ingestor: Ingestor, serverId: string) {
  await waitFor(`video ${serverId} to be stored`, async () => (await db.pool.query(`SELECT 1 FROM video_events WHERE "serverId" = $1`, [serverId])).rowCount === 1, 10_000);
  await waitFor("health to be ok", async () => (await checkHealth(db.client, await ingestor.status())).status === "ok", 10_000);
}

async function expectRefusedAsReceived(pill: Pill, marker: string, body: Buffer, httpStatus: number) {
  const rows = await recorded(marker);
  expect(rows, pill.name).toHaveLength(1);
  expect(rows[0]).toMatchObject({ outcome: "rejected", httpStatus, error: expect.stringMatching(pill.error), videoEventId: null });
  expect(rows[0].body === decode(body), "the body is kept as received").toBe(true);
}

describe("a poison pill stored directly", () => {
  it.each(PILLS)("$name: 400, kept as received; the next video is stored", async (pill) => {
    const ingestor = await startIngestor({ databaseUrl: db.url });
    const marker = markerFor("direct");
    const body = pill.body(marker);
    expect(await ingestor.receive(body)).toMatchObject({ status: 400, outcome: "rejected", error: expect.stringMatching(pill.error) });
    expect(await ingestor.receive(ordinaryVideo(`${marker}-next`))).toMatchObject({ status: 200, outcome: "stored" });
    await nextVideoStoredAndHealthy(ingestor, `${marker}-next`);
    await expectRefusedAsReceived(pill, marker, body, 400);
  });
});

describe("a poison pill spooled during an outage, drained after", () => {
  it.each(PILLS)("$name: 400 while the database is away; the video spooled behind it is stored once it is back", async (pill) => {
    const proxy = await databaseBehindProxy(db.url);
    cleanup.push(proxy.close);
    proxy.state.mode = "down";
    const ingestor = await startIngestor({ databaseUrl: proxy.url });
    const marker = markerFor("outage");
    const body = pill.body(marker);
    expect(await ingestor.receive(body)).toMatchObject({ status: 400, outcome: "rejected" });
    expect(await ingestor.receive(ordinaryVideo(`${marker}-next`))).toMatchObject({ status: 200, outcome: "spooled" });
    expect((await ingestor.status()).spoolDepth).toBe(2);
    proxy.state.mode = "up";
    await nextVideoStoredAndHealthy(ingestor, `${marker}-next`);
    await expectRefusedAsReceived(pill, marker, body, 400);
  });
});

describe("a poison pill spooled, then drained by the next receiver on the same DATA_DIR", () => {
  it.each(PILLS)("$name: the next receiver adopts the spool, records the pill and stores the video behind it", async (pill) => {
    const dataDir = await newDataDir();
    const deadUrl = `postgresql://postgres@127.0.0.1:1/none`;
    const first = await Ingestor.start({ databaseUrl: deadUrl, dataDir, retryMs: 60_000 });
    const marker = markerFor("restart");
    const body = pill.body(marker);
    expect(await first.receive(body)).toMatchObject({ status: 400, outcome: "rejected" });
    expect(await first.receive(ordinaryVideo(`${marker}-next`))).toMatchObject({ status: 200, outcome: "spooled" });
    await first.close(0);
    const next = await startIngestor({ databaseUrl: db.url, dataDir });
    await nextVideoStoredAndHealthy(next, `${marker}-next`);
    await expectRefusedAsReceived(pill, marker, body, 400);
  });
});

describe("a spool an earlier version wrote, holding pills it answered 200", () => {
  it("drains: every pill is recorded, every video behind them stored, health ok", async () => {
    const dataDir = await newDataDir();
    await mkdir(join(dataDir, "spool"), { recursive: true });
    const marker = markerFor("legacy");
    // The single-directory layout of earlier versions: segments straight under spool/, adopted at start.
    const lines = PILLS.flatMap((pill, i) => [
      { k: `legacy:${2 * i + 1}`, t: Date.now(), b: pill.body(`${marker}-${i}`).toString("base64") },
      { k: `legacy:${2 * i + 2}`, t: Date.now(), b: ordinaryVideo(`${marker}-${i}-next`).toString("base64") },
    ]);
    await writeFile(join(dataDir, "spool", "segment-000000000001.ndjson"), lines.map((l) => JSON.stringify(l) + "\n").join(""));
    const ingestor = await startIngestor({ databaseUrl: db.url, dataDir });
    await nextVideoStoredAndHealthy(ingestor, `${marker}-${PILLS.length - 1}-next`);
    for (const [i, pill] of PILLS.entries()) {
      expect((await db.pool.query(`SELECT 1 FROM video_events WHERE "serverId" = $1`, [`${marker}-${i}-next`])).rowCount, pill.name).toBe(1);
      const rows = await recorded(`${marker}-${i}"`);
      expect(rows, pill.name).toHaveLength(1);
      expect(rows[0], pill.name).toMatchObject({ outcome: "rejected", error: expect.stringMatching(pill.error), videoEventId: null });
    }
  });
});
