// Per-suite database: `const db = useTestDatabase()` in a test file gives it a fresh, migrated
// database for its whole run, dropped afterwards.
import { afterAll, beforeAll, inject } from "vitest";
import type pg from "pg";
import { createPool } from "../../lib/db/client";
import { createDatabase } from "./postgres";

export function useTestDatabase() {
  const handle = { url: "", pool: undefined as unknown as pg.Pool };
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    const db = await createDatabase(inject("pgAdminUrl"), { template: inject("pgTemplate") });
    handle.url = db.url;
    handle.pool = createPool(db.url, 25);
    drop = db.drop;
  });
  afterAll(async () => {
    await handle.pool?.end();
    await drop();
  });
  return handle;
}
