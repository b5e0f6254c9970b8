// The durable receiver against a database that comes and goes: deliveries stored directly while
// it answers, queued behind the spool while anything waits there, a dropped idle connection
// survived, a shutdown that lets a delivery in flight finish, and the spool_depth gauge. Written
// against the mutants Stryker left alive in lib/ingest/ingestor.ts (docs/testing.md).
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { databaseBehindProxy as openProxy } from "../../test/support/db-proxy";
import { waitFor } from "../../test/durability-helpers";
import { metrics } from "../metrics/registry";
import { Ingestor, type IngestorOptions } from "./ingestor";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const video = (serverId: string) => Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId } }));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function databaseBehindProxy() {
  const proxy = await openProxy(db.url);
  cleanup.push(proxy.close);
  return proxy;
}

async function startIngestor(options: Partial<IngestorOptions> & { databaseUrl: string }): Promise<Ingestor> {
  const dataDir = await mkdtemp(join(tmpdir(), "ingestor-mutants-"));
  const ingestor = await Ingestor.start({ dataDir, ...options });
  cleanup.push(async () => {
    await ingestor.close(0);
    await rm(dataDir, { recursive: true, force: true });
  });
  return ingestor;
}

const gauge = async () => (await metrics.spoolDepth.get()).values[0]?.value;

/** The videos whose serverId starts with `prefix`, in the order they were stored. */
async function storedOrder(prefix: string): Promise<string[]> {
  const { rows } = await db.pool.query(`SELECT "serverId" FROM video_events WHERE "serverId" LIKE $1 ORDER BY id`, [`${prefix}%`]);
  return rows.map((r) => r.serverId);
}

describe("the durable receiver with a database", () => {
  it("stores a delivery directly while the database answers, with its Content-Type", async () => {
    const ingestor = await startIngestor({ databaseUrl: db.url });
    expect(await ingestor.receive(video("D1"), new Date(), "application/json")).toMatchObject({ status: 200, outcome: "stored", videoId: expect.any(String) });
    const { rows } = await db.pool.query(`SELECT d.outcome::text, d."contentType" FROM deliveries d JOIN video_events v ON v.id = d."videoEventId" WHERE v."serverId" = 'D1'`);
    expect(rows).toEqual([{ outcome: "stored", contentType: "application/json" }]);
  });

  it("stores a video's times right on a server whose zone is not UTC (Prisma sends a Date without its offset)", async () => {
    const database = new URL(db.url).pathname.slice(1);
    await db.pool.query(`ALTER DATABASE "${database}" SET timezone = 'Asia/Shanghai'`);
    try {
      const ingestor = await startIngestor({ databaseUrl: db.url });
      const sendTime = Date.parse("2026-11-28T17:30:00.250Z");
      const body = Buffer.from(JSON.stringify({ ...example, time: sendTime + 1000, data: { ...example.data, serverId: "TZ1", sendTime } }));
      const receivedAt = new Date("2026-11-28T17:30:02.500Z");
      expect(await ingestor.receive(body, receivedAt)).toMatchObject({ outcome: "stored" });
      const { rows } = await db.pool.query(`SELECT "sendTime", "eventTime", "receivedAt" FROM video_events WHERE "serverId" = 'TZ1'`);
      expect(rows).toEqual([{ sendTime: new Date(sendTime), eventTime: new Date(sendTime + 1000), receivedAt }]);
    } finally {
      await db.pool.query(`ALTER DATABASE "${database}" RESET timezone`);
    }
  });

  it("queues a delivery behind the spooled ones once the database is back, so videos are stored in the order received; spool_depth follows", async () => {
    const proxy = await databaseBehindProxy();
    proxy.state.mode = "down";
    const ingestor = await startIngestor({ databaseUrl: proxy.url, retryMs: 3000 });
    expect(await ingestor.receive(video("Q1"))).toMatchObject({ outcome: "spooled" });
    await waitFor("the drain to find the database away", async () => (await ingestor.status()).lastDrainError !== null);
    expect(await gauge()).toBe(1);

    // Back, while the drain waits out its pause: the new delivery goes behind the spooled one.
    proxy.state.mode = "up";
    expect(await ingestor.receive(video("Q2"))).toMatchObject({ outcome: "spooled" });
    expect(await gauge()).toBe(2);
    await waitFor("the spool to drain", async () => (await ingestor.status()).spoolDepth === 0);
    expect(await storedOrder("Q")).toEqual(["Q1", "Q2"]);
    await waitFor("spool_depth to read 0", async () => (await gauge()) === 0);
  });

  it("goes on storing after the database drops its idle connections (a restart, an idle timeout)", async () => {
    const ingestor = await startIngestor({ databaseUrl: db.url });
    expect(await ingestor.receive(video("I1"))).toMatchObject({ outcome: "stored" });
    // The ingest connections are named, so an operator can tell them apart in pg_stat_activity.
    const { rows } = await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'wechat-video-dashboard:ingest'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    await waitFor("the pool to drop the dead connections", async () => ingestor.pool.totalCount === 0);
    expect(await ingestor.receive(video("I2"))).toMatchObject({ outcome: "stored" });
    expect(await storedOrder("I")).toEqual(["I1", "I2"]);
  });

  it("lets a delivery in flight finish before closing (spooled once the hanging database times out), and closes once", async () => {
    const proxy = await databaseBehindProxy();
    proxy.state.mode = "hang";
    const ingestor = await startIngestor({ databaseUrl: proxy.url, retryMs: 60_000 });
    const inFlight = ingestor.receive(video("H1"));
    await new Promise((resolve) => setImmediate(resolve));
    await ingestor.close(10_000);
    expect(await inFlight).toMatchObject({ status: 200, outcome: "spooled" });
    await ingestor.close();
  });

  it("stops waiting for a delivery in flight once the grace period is over", async () => {
    const proxy = await databaseBehindProxy();
    proxy.state.mode = "hang";
    const ingestor = await startIngestor({ databaseUrl: proxy.url, retryMs: 60_000 });
    let settled = false;
    const inFlight = ingestor.receive(video("G1")).finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    await ingestor.close(50);
    // Closed while the delivery still waits for its connection (2 s): it is answered 503, and the
    // provider retries it.
    expect(settled).toBe(false);
    expect(await inFlight).toMatchObject({ status: 503, outcome: "unavailable" });
  });
});
