// The spool across restarts, against a PostgreSQL of its own that this file stops and starts:
// outage, drain, restart, outage, drain. Every delivery answered 200, of every event code, must be
// in the deliveries log exactly once, and every video in video_events exactly once.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRestartablePostgres, waitFor, type RestartablePostgres } from "../../test/durability-helpers";
import { Ingestor } from "./ingestor";

const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
let db: RestartablePostgres;
const dirs: string[] = [];

beforeAll(async () => {
  db = await startRestartablePostgres();
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}, 30_000);

/** A run's deliveries: 20004 videos (unique serverIds) and 20005 text messages, each with a marker. */
export function mixedDelivery(run: string, i: number): { body: Buffer; marker: string; video: boolean } {
  const marker = `${run}-${i}`;
  const video = i % 10 < 7;
  const envelope = video
    ? { ...example, data: { ...example.data, instanceId: run, serverId: marker, sendTime: Date.now() } }
    : { event: "20005", description: "文本消息", time: Date.now(), data: { instanceId: run, serverId: marker, content: marker } };
  return { body: Buffer.from(JSON.stringify(envelope)), marker, video };
}

async function counts(run: string, markers: string[]) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const videos = await client.query(`SELECT "serverId" AS marker, count(*)::int AS n FROM video_events WHERE "instanceId" = $1 GROUP BY 1`, [run]);
    const deliveries = await client.query(
      `SELECT coalesce(v."serverId", d.body::jsonb #>> '{data,serverId}') AS marker, count(*)::int AS n
       FROM deliveries d LEFT JOIN video_events v ON v.id = d."videoEventId"
       WHERE v."instanceId" = $1 OR d.body LIKE '%' || $1 || '%' GROUP BY 1`,
      [run],
    );
    const asMap = (rows: { marker: string; n: number }[]) => new Map(rows.map((r) => [r.marker, r.n]));
    return { videos: asMap(videos.rows), deliveries: asMap(deliveries.rows), markers };
  } finally {
    await client.end();
  }
}

describe("the spool across restarts", () => {
  it("outage, drain, restart, outage, drain: every delivery answered 200 is logged once, every video stored once", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "spool-outages-"));
    dirs.push(dataDir);
    const run = `outages-${randomBytes(3).toString("hex")}`;
    const answered200: { marker: string; video: boolean }[] = [];
    let next = 0;

    for (const round of [1, 2]) {
      const ingestor = await Ingestor.start({ databaseUrl: db.url, dataDir, retryMs: 100 });
      try {
        await db.stop();
        await Promise.all(
          Array.from({ length: 60 }, async () => {
            const { body, marker, video } = mixedDelivery(run, next++);
            const result = await ingestor.receive(body);
            expect(result).toMatchObject({ status: 200, outcome: "spooled" });
            answered200.push({ marker, video });
          }),
        );
        await db.start();
        await waitFor(`round ${round}'s spool to drain`, async () => (await ingestor.status()).spoolDepth === 0, 30_000);
      } finally {
        await ingestor.close();
      }
    }

    const { videos, deliveries } = await counts(run, answered200.map((a) => a.marker));
    expect(answered200).toHaveLength(120);
    expect(answered200.filter((a) => deliveries.get(a.marker) !== 1).map((a) => `${a.marker}: ${deliveries.get(a.marker) ?? 0}`)).toEqual([]);
    expect(deliveries.size).toBe(120);
    const sentVideos = answered200.filter((a) => a.video);
    expect(sentVideos.filter((a) => videos.get(a.marker) !== 1)).toEqual([]);
    expect(videos.size).toBe(sentVideos.length);
  }, 120_000);

  it("replays in the order received, across segments", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "spool-order-"));
    dirs.push(dataDir);
    const run = `order-${randomBytes(3).toString("hex")}`;
    const ingestor = await Ingestor.start({ databaseUrl: db.url, dataDir, retryMs: 100, drainBatch: 3, spool: { segmentRecords: 7 } });
    const sentOrder: string[] = [];
    try {
      await db.stop();
      for (let i = 0; i < 40; i++) {
        const { body, marker } = mixedDelivery(run, i);
        expect(await ingestor.receive(body)).toMatchObject({ status: 200, outcome: "spooled" });
        sentOrder.push(marker);
      }
      await db.start();
      await waitFor("the spool to drain", async () => (await ingestor.status()).spoolDepth === 0, 30_000);
    } finally {
      await ingestor.close();
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT coalesce(v."serverId", d.body::jsonb #>> '{data,serverId}') AS marker FROM deliveries d
         LEFT JOIN video_events v ON v.id = d."videoEventId" WHERE v."instanceId" = $1 OR d.body LIKE '%' || $1 || '%' ORDER BY d.id`,
        [run],
      );
      expect(rows.map((r) => r.marker)).toEqual(sentOrder);
    } finally {
      await client.end();
    }
  }, 120_000);
});
