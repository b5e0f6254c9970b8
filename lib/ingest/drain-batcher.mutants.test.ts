// The batcher's limit on statements in flight and the drain's handling of failures, at their
// edges. Written against the mutants Stryker left alive in lib/ingest/batcher.ts and drain.ts
// (docs/testing.md), in a file of its own.
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { clientAroundGroupStatements, lostConnection } from "../../test/support/group-statements";
import { useSpoolRoots } from "../../test/support/temp-spool";
import { waitFor } from "../../test/durability-helpers";
import { createDb, createPool } from "../db/client";
import { freePort } from "../db/embedded";
import { VideoBatcher } from "./batcher";
import { SpoolDrain } from "./drain";
import { Spool } from "./spool";
import { receiveDelivery } from "./store";

const db = useTestDatabase();
const spoolRoot = useSpoolRoots("drain-batcher-");
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const video = (serverId: string) => Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId } }));

/** A client that counts the group statements in flight at once, and can fail the next `failNext` of them as a lost connection would. */
function watchedClient(pool: pg.Pool) {
  const seen = { inFlight: 0, most: 0, statements: 0, failNext: 0 };
  const client = clientAroundGroupStatements(pool, async (_rows, send) => {
    seen.statements++;
    if (seen.failNext > 0) {
      seen.failNext--;
      throw lostConnection();
    }
    seen.inFlight++;
    seen.most = Math.max(seen.most, seen.inFlight);
    try {
      return await send();
    } finally {
      seen.inFlight--;
    }
  });
  return { client, seen };
}

/** Runs the drain until the spool is empty, then stops it. */
async function drainAll(drain: SpoolDrain, spool: Spool): Promise<void> {
  drain.start();
  await waitFor("the spool drained", async () => spool.depth === 0).finally(() => drain.stop());
}

async function videoCount(prefix: string): Promise<number> {
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM video_events WHERE "serverId" LIKE $1`, [`${prefix}%`]);
  return rows[0].n;
}

describe("the batcher's statements in flight", () => {
  it("never more than maxInFlight at once, and every row is written, one after another or all at once", async () => {
    const { client, seen } = watchedClient(db.pool);
    const batcher = new VideoBatcher(client, { windowMs: 1, maxRows: 5, maxInFlight: 1 });
    const store = (b: Buffer) => receiveDelivery(db.client, b, new Date(), { storeVideo: (item) => batcher.store(item) });
    // One after another: each group's end frees its slot for the next.
    for (let i = 0; i < 6; i++) expect(await store(video(`seq-${i}`))).toMatchObject({ outcome: "stored" });
    // All at once: rows wait while the one statement runs, and follow in later groups.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => store(video(`burst-${i}`))));
    expect(results.every((r) => r.outcome === "stored")).toBe(true);
    expect(seen.most).toBe(1);
    expect(await videoCount("seq-")).toBe(6);
    expect(await videoCount("burst-")).toBe(40);
  });
});

describe("the drain", () => {
  it("retries a group the database failed to take (a lost connection), rather than recording its videos as refused", async () => {
    const spool = await Spool.open(await spoolRoot());
    for (const id of ["lost-1", "lost-2"]) await spool.append(video(id), new Date(), spool.nextKey(), "application/json");
    const { client, seen } = watchedClient(db.pool);
    seen.failNext = 1;
    await drainAll(new SpoolDrain(spool, client, { retryMs: 20 }), spool);
    const { rows } = await db.pool.query(`SELECT v."serverId", d.outcome::text FROM deliveries d JOIN video_events v ON v.id = d."videoEventId" WHERE v."serverId" LIKE 'lost-%' ORDER BY 1`);
    expect(rows).toEqual([{ serverId: "lost-1", outcome: "stored" }, { serverId: "lost-2", outcome: "stored" }]);
    expect(seen.statements).toBeGreaterThanOrEqual(2);
  });

  it("replays drainBatch records per statement", async () => {
    const spool = await Spool.open(await spoolRoot());
    for (let i = 0; i < 5; i++) await spool.append(video(`batch-${i}`), new Date());
    const { client, seen } = watchedClient(db.pool);
    await drainAll(new SpoolDrain(spool, client, { retryMs: 20, drainBatch: 2 }), spool);
    expect(seen.statements).toBe(3);
    expect(await videoCount("batch-")).toBe(5);
  });

  it("says why it is paused while the database is unreachable", async () => {
    const spool = await Spool.open(await spoolRoot());
    await spool.append(video("unreachable"), new Date());
    const dead = createPool(`postgresql://postgres@127.0.0.1:${await freePort()}/none`, 1, { connectionTimeoutMillis: 2000 });
    const drain = new SpoolDrain(spool, createDb(dead), { retryMs: 20 });
    expect(drain.status()).toEqual({ draining: false, lastDrainError: null });
    drain.start();
    try {
      const status = await waitFor("the drain to report its error", async () => drain.status().lastDrainError !== null && drain.status());
      expect(status.lastDrainError).toMatch(/^P2010: Can't reach database server at 127\.0\.0\.1:\d+$/);
      expect(spool.depth).toBe(1);
    } finally {
      await drain.stop();
      await dead.end();
    }
  });

  it("adopts and replays the spool of a process that died while this one was idle", async () => {
    const root = await spoolRoot();
    const spool = await Spool.open(root);
    const drain = new SpoolDrain(spool, db.client, { retryMs: 20 });
    drain.start();
    try {
      const deadPid = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
      const orphan = join(root, "run-0dead");
      await mkdir(orphan);
      await writeFile(join(orphan, "owner"), JSON.stringify({ pid: deadPid, started: null, host: hostname() }));
      await writeFile(join(orphan, "segment-000000000001.ndjson"), JSON.stringify({ k: "0dead:1", t: Date.now(), b: video("orphaned").toString("base64") }) + "\n");
      await waitFor("the orphan's video to be stored", async () => (await videoCount("orphaned")) === 1, 15_000);
    } finally {
      await drain.stop();
    }
  });
});
