// For the durability suites: a PostgreSQL of their own that can be stopped and started again on
// the same port (the app keeps its DATABASE_URL), and a way to kill -9 an app server.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort, loadEmbeddedPostgres } from "../lib/db/embedded";
import { applyMigrations } from "../lib/db/migrate";

export type RestartablePostgres = {
  url: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** SIGSTOPs the postmaster and every backend: a database that hangs rather than refuses. */
  freeze: () => void;
  /** SIGCONTs what freeze() stopped. */
  thaw: () => void;
  /** Stops the server and removes its files. */
  destroy: () => Promise<void>;
};

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "durability-pg-"));
  // As root, PostgreSQL runs as "postgres", which must be able to enter the directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "cluster"),
    port,
    user: "postgres",
    password: "durability",
    authMethod: "password",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--no-instructions"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=on"],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const admin = new pg.Client({ connectionString: `postgresql://postgres:durability@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query("CREATE DATABASE durability");
  await admin.end();
  const url = `postgresql://postgres:durability@127.0.0.1:${port}/durability`;
  await applyMigrations(url);
  let running = true;
  let frozen: number[] = [];
  const postmasterPid = () => Number(readFileSync(join(dir, "cluster", "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    url,
    stop: async () => {
      if (!running) return;
      running = false;
      await server.stop();
    },
    start: async () => {
      if (running) return;
      await server.start();
      running = true;
    },
    freeze: () => {
      const postmaster = postmasterPid();
      process.kill(postmaster, "SIGSTOP");
      frozen = [postmaster];
      // A backend may exit between the listing and the signal: it is then nothing to freeze.
      for (const pid of childrenOf(postmaster)) {
        try {
          process.kill(pid, "SIGSTOP");
          frozen.push(pid);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
        }
      }
    },
    thaw: () => {
      for (const pid of frozen.splice(0)) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {}
      }
    },
    destroy: async () => {
      for (const pid of frozen.splice(0)) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {}
      }
      if (running) await server.stop();
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (statFields(Number(pid))[1] === String(parent)) children.push(Number(pid));
    } catch {}
  }
  return children;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): state ppid pgrp ... */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/**
 * kill -9 every process of the app server that uses `dataDir` (next start and its children);
 * with `tag` (an environment entry such as "APP_TAG=a"), only the one started with it.
 */
export function killAppHard(dataDir: string, tag?: string): number {
  const groups = new Set<number>();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!env.includes(`DATA_DIR=${dataDir}`) || (tag && !env.includes(tag))) continue;
      groups.add(Number(statFields(Number(pid))[2]));
    } catch {
      // The process ended while being looked at.
    }
  }
  for (const pgrp of groups) {
    try {
      process.kill(-pgrp, "SIGKILL");
    } catch {}
  }
  return groups.size;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function health(url: string): Promise<{ httpStatus: number; status: string; spoolDepth: number; database: string }> {
  const res = await fetch(`${url}/api/health`);
  return { httpStatus: res.status, ...(await res.json()) };
}
