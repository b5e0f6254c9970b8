// Measuring a server process and PostgreSQL's own COPY from a benchmark.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { to as copyTo } from "pg-copy-streams";
import { createPool } from "../../lib/db/client";
import { listenerPid, residentBytes } from "../../test/support/app-server";

export { listenerPid };

/** Resident memory of `pid` in MB. */
export function rssMb(pid: number): number {
  return residentBytes(pid) / (1024 * 1024);
}

/** Seconds `sql` (a COPY ... TO STDOUT) takes to stream into nothing. */
export async function timeCopy(url: string, sql: string): Promise<number> {
  const pool = createPool(url, 1);
  const client = await pool.connect();
  try {
    const started = performance.now();
    await pipeline(client.query(copyTo(sql)), new Writable({ write: (_chunk, _e, cb) => cb() }));
    return (performance.now() - started) / 1000;
  } finally {
    client.release();
    await pool.end();
  }
}
