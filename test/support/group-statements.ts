// A Prisma Client whose group statements (video-store.ts's, one per group of videos) pass through
// a hook on their way to the pool: tests tell from it whether rows were grouped, how many
// statements were in flight at once, or fail one as a lost connection would.
import type pg from "pg";
import { createDb, type Db } from "../../lib/db/client";
import { STORE_VIDEOS_STATEMENTS } from "../../lib/ingest/video-store";

type QueryConfig = { text?: string; values?: unknown[][] };

/** `around(rows, send)` runs for each group statement: `send()` sends it on; anything else goes straight through. */
export function clientAroundGroupStatements(pool: pg.Pool, around: (rows: number, send: () => Promise<unknown>) => Promise<unknown>): Db {
  const query = (config: QueryConfig, ...rest: unknown[]) => {
    const send = () => (pool.query as (...a: unknown[]) => Promise<unknown>).call(pool, config, ...rest);
    return config?.text !== undefined && STORE_VIDEOS_STATEMENTS.includes(config.text) ? around(config.values![0].length, send) : send();
  };
  // The adapter keeps a pool only if it is a pg.Pool: a Proxy of one is (instanceof sees its target).
  return createDb(new Proxy(pool, { get: (target, key, receiver) => (key === "query" ? query : Reflect.get(target, key, receiver)) }));
}

/** A client that notes, for every group statement sent through it, how many rows it carried. */
export function countingGroupStatements(pool: pg.Pool): { db: Db; groups: number[] } {
  const groups: number[] = [];
  const db = clientAroundGroupStatements(pool, (rows, send) => {
    groups.push(rows);
    return send();
  });
  return { db, groups };
}

/** What pg throws when the server ends the connection under a statement (pg_terminate_backend). */
export function lostConnection(): Error {
  return Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01", severity: "FATAL" });
}
