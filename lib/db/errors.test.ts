// The classifier against errors a real PostgreSQL raises, not codes typed by hand.
import { expect, test } from "vitest";
import { errorSummary } from "../log";
import { createDb, createPool } from "./client";
import { deliveryFailure, errorLine, pgErrorKind, sqlState } from "./errors";
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

test("a delivery's own failures, the database's, and the rest (deliveryFailure)", async () => {
  // Own: the values refused, or a RangeError/TypeError while preparing them.
  expect(deliveryFailure(await errorOf(`SELECT 2147483648::int`))).toBe("own");
  expect(deliveryFailure(await errorOf(`SELECT '{"a": "\\ud800"}'::jsonb`))).toBe("own");
  expect(deliveryFailure(new RangeError("Maximum call stack size exceeded"))).toBe("own");
  expect(deliveryFailure(new TypeError("Do not know how to serialize a BigInt"))).toBe("own");
  // The database or the connection: a statement over its timeout (57014), a server away, a hung query.
  const client = await db.pool.connect();
  try {
    await client.query(`SET statement_timeout = 10`);
    expect(deliveryFailure(await client.query(`SELECT pg_sleep(1)`).then(() => null, (e: unknown) => e))).toBe("retry");
  } finally {
    await client.query(`RESET statement_timeout`);
    client.release();
  }
  const nowhere = createPool("postgresql://postgres@127.0.0.1:1/none", 1);
  try {
    expect(deliveryFailure(await nowhere.query("SELECT 1").then(() => null, (e: unknown) => e))).toBe("retry");
  } finally {
    await nowhere.end();
  }
  expect(deliveryFailure(new Error("Query read timeout"))).toBe("retry");
  expect(deliveryFailure(Object.assign(new Error("new row violates check constraint"), { code: "23514", constraint: "video_events_partition_bound" }))).toBe("retry");
  // Neither: a bug in the SQL, a trigger's RAISE, a plain Error; and a TypeError PostgreSQL coded is PostgreSQL's.
  expect(deliveryFailure(await errorOf(`SELECT no_such_column FROM video_events`))).toBe("unknown");
  expect(deliveryFailure(await errorOf(`DO $$ BEGIN RAISE EXCEPTION 'no'; END $$`))).toBe("unknown");
  expect(deliveryFailure(new Error("plain"))).toBe("unknown");
  expect(deliveryFailure(Object.assign(new TypeError("x"), { code: "42883" }))).toBe("unknown");
});

// The same errors, raised through Prisma Client (raw SQL and the model API), classify the same
// and read as PostgreSQL's own one-line message.
test("through Prisma Client: data errors, an unreachable server and SQL bugs classify as from pg, with PostgreSQL's message", async () => {
  const prismaError = (run: () => Promise<unknown>) => run().then(() => null, (err: unknown) => err);
  const client = db.client;
  const outOfRange = await prismaError(() => client.$queryRawUnsafe(`SELECT '300000-01-01'::timestamptz`));
  expect(pgErrorKind(outOfRange)).toBe("data");
  expect(sqlState(outOfRange)).toBe("22008");
  expect(errorLine(outOfRange)).toBe(`timestamp out of range: "300000-01-01"`);
  expect(pgErrorKind(await prismaError(() => client.$executeRaw`SELECT ${"2147483648"}::int`))).toBe("data");
  await client.revokedSession.create({ data: { id: "s", expiresAt: new Date() } });
  const duplicate = await prismaError(() => client.revokedSession.create({ data: { id: "s", expiresAt: new Date() } }));
  expect(pgErrorKind(duplicate)).toBe("data");
  expect(errorSummary(duplicate)).toMatch(/^23505: duplicate key value violates unique constraint "revoked_sessions_pkey"$/);

  const nowhere = createPool("postgresql://postgres@127.0.0.1:1/none", 1);
  try {
    const unreachable = createDb(nowhere);
    expect(pgErrorKind(await prismaError(() => unreachable.$queryRawUnsafe("SELECT 1")))).toBe("unavailable");
    const modelError = await prismaError(() => unreachable.revokedSession.count());
    expect(pgErrorKind(modelError)).toBe("unavailable");
    expect(errorLine(modelError)).toBe("Can't reach database server at 127.0.0.1:1");
  } finally {
    await nowhere.end();
  }
  const bug = await prismaError(() => client.$queryRawUnsafe(`SELECT no_such_column FROM video_events`));
  expect(pgErrorKind(bug)).toBe("other");
  expect(errorSummary(bug)).toBe(`42703: column "no_such_column" does not exist`);
});

// A deadlock (40P01) says nothing about the rows: the same statement succeeds once the other
// transaction is gone. The spool's drain must wait and retry it, never quarantine it.
test("a deadlock the server detects is the database's: wait and retry", async () => {
  await db.pool.query(`CREATE TABLE deadlock_t (k int PRIMARY KEY, v int); INSERT INTO deadlock_t VALUES (1, 0), (2, 0)`);
  const [a, b] = [await db.pool.connect(), await db.pool.connect()];
  try {
    await a.query(`BEGIN; UPDATE deadlock_t SET v = 1 WHERE k = 1`);
    await b.query(`BEGIN; UPDATE deadlock_t SET v = 1 WHERE k = 2`);
    const settled = await Promise.allSettled([a.query(`UPDATE deadlock_t SET v = 2 WHERE k = 2`), b.query(`UPDATE deadlock_t SET v = 2 WHERE k = 1`)]);
    const deadlock = settled.find((s) => s.status === "rejected")?.reason;
    expect(sqlState(deadlock)).toBe("40P01");
    expect(deliveryFailure(deadlock)).toBe("retry");
  } finally {
    await a.query("ROLLBACK");
    await b.query("ROLLBACK");
    a.release();
    b.release();
  }
});
