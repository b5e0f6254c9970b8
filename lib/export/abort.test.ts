import { afterAll, beforeAll, expect, it } from "vitest";
import type pg from "pg";
import { useTestDatabase } from "../../test/support/db";
import { createPool } from "../db/client";
import { parseExportRequest } from "./request";
import { openExport } from "./stream";
import { fillVideos } from "../../test/support/export-readers";

const db = useTestDatabase();
let exportPool: pg.Pool;

beforeAll(async () => {
  await fillVideos(db.pool, 30_000);
  exportPool = createPool(db.url, 2);
});
afterAll(() => exportPool?.end());

async function copyBackends(where = "true"): Promise<number[]> {
  const { rows } = await db.pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (SELECT %' AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND ${where}`,
  );
  return rows.map((r) => r.pid);
}

async function eventually(check: () => Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("stops the query and frees its connection when the reader goes away mid-stream", async () => {
  const stream = await openExport(exportPool, parseExportRequest(new URLSearchParams("format=csv")));
  const first = await new Promise<Buffer>((resolve) => stream.once("data", resolve));
  stream.pause();
  expect(first.length).toBeGreaterThan(0);
  expect(await copyBackends()).toHaveLength(1);
  expect(exportPool.totalCount).toBe(1);

  stream.destroy();
  expect(await stream.finished).toMatchObject({ aborted: true });
  await eventually(async () => (await copyBackends()).length === 0);
  expect(exportPool.totalCount).toBe(0);
  expect(exportPool.waitingCount).toBe(0);

  // The pool serves the next export whole.
  let rows = 0;
  const again = await openExport(exportPool, parseExportRequest(new URLSearchParams("format=ndjson&fromWxId=wxid_7")));
  for await (const chunk of again) rows += (chunk as Buffer).toString().split("\n").length - 1;
  expect(rows).toBe(30);
  await again.finished;
  expect(exportPool.idleCount).toBe(exportPool.totalCount);
});

it("fails the export, loudly, when its PostgreSQL backend is terminated mid-COPY", async () => {
  const stream = await openExport(exportPool, parseExportRequest(new URLSearchParams("format=csv")));
  const first = await new Promise<Buffer>((resolve) => stream.once("data", resolve));
  stream.pause();
  expect(first.length).toBeGreaterThan(0);
  // Terminated while it still has rows to send (blocked writing to the paused reader). A COPY
  // that already finished into the kernel's buffers (loopback receive buffers grow to 32 MB)
  // is a whole export, not this case: wait for the blocked state, never assume it.
  let pid: number | undefined;
  await eventually(async () => ([pid] = await copyBackends("state = 'active' AND wait_event = 'ClientWrite'")).length === 1);
  expect(pid).toBeDefined();
  await db.pool.query("SELECT pg_terminate_backend($1)", [pid]);
  const failed = new Promise<Error>((resolve) => stream.once("error", resolve));
  stream.resume();
  // The reader sees an error (not a clean end) and the outcome is a rejection, not a row count.
  expect((await failed).message).toMatch(/terminat/i);
  await expect(stream.finished).rejects.toThrow(/terminat/i);
  expect(stream.readableEnded).toBe(false);
  await eventually(async () => exportPool.totalCount === 0);
});
