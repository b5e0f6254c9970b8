// Measuring a server process and PostgreSQL's own COPY from a benchmark.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { to as copyTo } from "pg-copy-streams";
import { createPool } from "../../lib/db/client";

/** The pid of the process listening on `port` (next start forks a next-server that does). */
export function listenerPid(port: number): number {
  const out = execFileSync("ss", ["-Htlnp", `sport = :${port}`], { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(out);
  if (!m) throw new Error(`no process listens on ${port}: ${out}`);
  return Number(m[1]);
}

/** Resident memory of `pid` in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
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
