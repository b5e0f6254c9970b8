// The data layer's handles. One pg pool per process, shared by every query in the app (pages,
// live updates, export), so the app holds a single, bounded set of connections; and one Prisma
// Client on that same pool (driver adapter), through which domain code reads and writes. The few
// things Prisma cannot carry (COPY, LISTEN, session advisory locks, graphile-worker, catalog
// types the adapter refuses) take the pool itself: docs/architecture.md, decision record 1.
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { config } from "../config";
import { Prisma, PrismaClient } from "./generated/prisma/client";

export { Prisma };

/** What domain functions take as their first argument: the process's Prisma Client (or one made by `createDb`). */
export type Db = PrismaClient;
/** What a transaction's callback gets: a Db without $transaction/$connect. A Db is also a DbTx. */
export type DbTx = Prisma.TransactionClient;

// Kept on globalThis so `next dev` reloading modules does not open a new pool (or client) every time.
const globalHandles = globalThis as unknown as { __videoDashboardPool?: pg.Pool; __videoDashboardDb?: Db };

/**
 * Every session in UTC, whatever the server's default: Prisma's pg adapter sends a Date as a
 * timestamp without an offset and reads timestamptz text as if it were UTC (prisma/orm#26786,
 * #28629), so on a server set to, say, Asia/Shanghai every time would be 8 hours off. pg's own
 * Dates carry their offset and are right either way. The triggers' hourly buckets
 * (date_trunc('hour', ...)) then follow UTC hours in every session alike.
 */
export const SESSION_OPTIONS = "-c TimeZone=UTC";

/** A pool's handle, for what takes the pool rather than `Db` (decision record 1's exceptions, and whoever ends a pool). */
export type Pool = pg.Pool;

export type PoolOptions = {
  /** Names the connections in pg_stat_activity. */
  applicationName?: string;
  /** Give up waiting for a connection after this long (default: wait). */
  connectionTimeoutMillis?: number;
  /** Give up waiting for a statement's answer after this long (default: wait). */
  queryTimeout?: number;
};

export function createPool(connectionString: string, max = 10, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: options.applicationName ?? "wechat-video-dashboard",
    options: SESSION_OPTIONS,
    connectionTimeoutMillis: options.connectionTimeoutMillis,
    query_timeout: options.queryTimeout,
  });
  // A client that loses its server must not crash the process; the next query reports it. The
  // pool's own listener covers idle clients only: a checked-out one (an export's COPY, a LISTEN)
  // emits 'error' on itself when the database restarts or terminates its backend, and with no
  // listener that is an uncaught exception. Its query in flight still fails with the error, and
  // the pool drops it on release (lib/export/abort.test.ts).
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

export type DbOptions = {
  /**
   * Names the prepared statement of a raw SQL text (undefined: unnamed). pg prepares a named
   * statement once per connection and reuses it, which saves a parse and plan per execution; a
   * name must belong to one SQL text only, and every name stays prepared for the connection's
   * life, so only fixed statements on hot paths get one (see `namedStatements`).
   */
  statementName?: (sql: string) => string | undefined;
};

/**
 * A Prisma Client whose queries run on `pool`'s connections: the adapter keeps a given pool only
 * when it is an instance of the `pg` the adapter itself imports (one copy of `pg` in
 * node_modules, test/prisma-client.test.ts), and `$disconnect()` leaves it open: whoever made the
 * pool ends it.
 */
export function createDb(pool: pg.Pool, options: DbOptions = {}): Db {
  const naming = options.statementName;
  const adapter = new PrismaPg(pool, naming ? { statementNameGenerator: (query) => naming(query.sql) as string } : undefined);
  const client = new PrismaClient({ adapter, errorFormat: "minimal" });
  // Loading the query compiler (WebAssembly) takes 0.1 to 1.5 s, on first use unless started now:
  // no request (a health check with its 2 s limit, say) should wait for it. It opens no connection.
  client.$connect().catch(() => {});
  return client;
}

/** The process's pool. Domain code takes `db()`; only the exceptions in decision record 1 take this. */
export function pool(): pg.Pool {
  if (!globalHandles.__videoDashboardPool) {
    const url = config().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides one");
    globalHandles.__videoDashboardPool = createPool(url);
  }
  return globalHandles.__videoDashboardPool;
}

/** The process's Prisma Client, on `pool()`. */
export function db(): Db {
  globalHandles.__videoDashboardDb ??= createDb(pool());
  return globalHandles.__videoDashboardDb;
}

/**
 * A statement namer for `createDb`: the given SQL texts get names derived from their text (so
 * two texts never share a name, whoever names them), every other statement stays unnamed.
 */
export function namedStatements(texts: Iterable<string>): (sql: string) => string | undefined {
  const names = new Map<string, string>();
  for (const text of texts) names.set(text, `vd_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`);
  return (sql) => names.get(sql);
}
