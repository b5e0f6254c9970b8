import { afterAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { createDatabase } from "../../test/support/postgres";
import { applyMigrations } from "./migrate";

describe("npm run db:migrate", () => {
  let drop: () => Promise<void> = async () => {};
  afterAll(() => drop());

  it("applies every migration to an empty database, records them for Prisma's CLI, and is a no-op the second time", async () => {
    // createDatabase migrates already; an empty one is made by dropping its schema first.
    const db = await createDatabase(inject("pgAdminUrl"), { template: "template0" });
    drop = db.drop;
    const applied = await applyMigrations(db.url);
    expect(applied.length).toBeGreaterThan(0);
    expect(await applyMigrations(db.url)).toEqual([]);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`);
      expect(rows.map((r) => r.migration_name)).toEqual(applied);
      expect(rows.every((r) => r.finished && r.rolled_back_at === null)).toBe(true);
      const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
      expect(tables.rows.map((r) => r.tablename)).toEqual(expect.arrayContaining(["video_events", "deliveries", "conversation_summaries", "sender_summaries"]));
    } finally {
      await client.end();
    }
  });
});
