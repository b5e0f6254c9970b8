// Per-suite database: `const db = useTestDatabase()` in a test file gives it a fresh, migrated
// database for its whole run, dropped afterwards.
import { afterAll, beforeAll, inject } from "vitest";
import type pg from "pg";
import { createDb, createPool, type Db } from "../../lib/db/client";
import { createDatabase } from "./postgres";

export function useTestDatabase() {
  // `client` is Prisma Client on `pool` (what domain functions take); `pool` for what stays on pg.
  const handle = { url: "", pool: undefined as unknown as pg.Pool, client: undefined as unknown as Db };
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const db = await createDatabase(inject("pgAdminUrl"), { template: inject("pgTemplate") });
    handle.url = db.url;
    handle.pool = createPool(db.url, 25);
    handle.client = createDb(handle.pool);
    drop = db.drop;
  });
  afterAll(async () => {
    await handle.client?.$disconnect();
    await handle.pool?.end();
    await drop();
  });
  return handle;
}

/** Another app instance on the same database: a pool of its own and Prisma Client on it. */
export function otherInstance(url: string, max = 10) {
  const pool = createPool(url, max);
  const client = createDb(pool);
  return { pool, client, end: async () => (await client.$disconnect(), await pool.end()) };
}
