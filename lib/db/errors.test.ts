// The classifier against errors a real PostgreSQL raises, not codes typed by hand.
import { expect, test } from "vitest";
import { createPool } from "./client";
import { pgErrorKind } from "./errors";
import { useTestDatabase } from "../../test/support/db";

const db = useTestDatabase();

const errorOf = (sql: string) => db.pool.query(sql).then(() => null, (err: unknown) => err);

test("values PostgreSQL refuses are data errors: out of range, a broken constraint, an index row too large", async () => {
  expect(pgErrorKind(await errorOf(`SELECT '300000-01-01'::timestamptz`))).toBe("data");
  expect(pgErrorKind(await errorOf(`SELECT 2147483648::int`))).toBe("data");
  await db.pool.query(`CREATE TABLE classify_t (k text PRIMARY KEY)`);
  expect(pgErrorKind(await errorOf(`INSERT INTO classify_t VALUES ('a'), ('a')`))).toBe("data");
  expect(pgErrorKind(await errorOf(`INSERT INTO classify_t SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i`))).toBe("data");
});

test("a server that cannot be reached is unavailable; a bug in the SQL is neither", async () => {
  const nowhere = createPool("postgresql://postgres@127.0.0.1:1/none", 1);
  try {
    expect(pgErrorKind(await nowhere.query("SELECT 1").then(() => null, (e: unknown) => e))).toBe("unavailable");
  } finally {
    await nowhere.end();
  }
  expect(pgErrorKind(await errorOf(`SELECT no_such_column FROM video_events`))).toBe("other");
  expect(pgErrorKind(new Error("plain"))).toBe("other");
});
