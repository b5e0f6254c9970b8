import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "./embedded";

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("the embedded PostgreSQL (npm start without DATABASE_URL)", () => {
  let dir = "";
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("initialises under DATA_DIR, stops cleanly, and keeps its data across a restart", async () => {
    dir = await mkdtemp(join(tmpdir(), "embedded-pg-test-"));
    // As root the server runs as the user postgres, which must be able to enter the directory.
    await chmod(dir, 0o755);
    const first = await startEmbeddedPostgres(dir);
    expect(first.url).toMatch(/^postgresql:\/\/postgres:.+@127\.0\.0\.1:\d+\/dashboard$/);
    await query(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await first.stop();

    const second = await startEmbeddedPostgres(dir);
    try {
      expect(await query(second.url, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
