// A real PostgreSQL for the tests: TEST_DATABASE_URL, else the machine's own server on
// 127.0.0.1:5432, else an embedded one in a temporary directory. Every suite gets a database
// of its own, cloned from a migrated template, and drops it afterwards.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../lib/db/embedded";
import { applyMigrations } from "../../lib/db/migrate";

export type TestServer = { adminUrl: string; stop: () => Promise<void> };

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startTestServer(): Promise<TestServer> {
  const candidates = [process.env.TEST_DATABASE_URL, "postgresql://postgres@127.0.0.1:5432/postgres"].filter(Boolean) as string[];
  for (const url of candidates) {
    if (await reachable(url)) return { adminUrl: url, stop: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), "video-dashboard-pg-"));
  // As root the server runs as the user postgres, which must be able to enter the directory.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres(dir);
  return {
    adminUrl: withDatabase(embedded.url, "postgres"),
    stop: async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/**
 * Drops the databases earlier runs made and could not drop (a run killed mid-way): those whose
 * name carries the id of a process that no longer exists on this machine. Returns their names.
 */
export async function dropAbandonedDatabases(adminUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT datname AS name FROM pg_database WHERE datname ~ '^vd_[a-z_]+_[0-9]+_[0-9a-f]{8}$'`,
    );
    const abandoned = rows.map((r) => r.name).filter((name) => !processExists(Number(name.split("_").at(-2))));
    for (const name of abandoned) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return abandoned;
  } finally {
    await client.end();
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A new, migrated database; `template` makes it a fast copy of an already migrated one. */
export async function createDatabase(adminUrl: string, options: { template?: string; prefix?: string } = {}) {
  const name = uniqueName(options.prefix ?? "vd_test");
  await adminQuery(adminUrl, `CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ""}`);
  const url = withDatabase(adminUrl, name);
  if (!options.template) await applyMigrations(url);
  return {
    name,
    url,
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
