// Raw SQL through the Prisma Client for the archive's statements that the model API cannot say
// (upserts conditional on another table, graphile-worker calls in the same statement). Rows come
// back converted by the adapter: int8 as BigInt, so the statements cast counts and ids.
import type { Db } from "../db/client";

export function rawRows<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  return db.$queryRawUnsafe<T[]>(sql, ...params);
}

/** A statement whose rows are not read (also one returning void or a composite, which the adapter refuses to read). */
export function rawExecute(db: Db, sql: string, params: unknown[]): Promise<number> {
  return db.$executeRawUnsafe(sql, ...params);
}
