// Login state kept in PostgreSQL, so that every instance of the app sees it: a logout on one is
// honoured by all, and N instances do not allow N times the guesses.
import type { Pool } from "pg";

/** Whether the session `id` was logged out (and would not have expired yet). */
export async function sessionRevoked(db: Pool, id: string, now: number): Promise<boolean> {
  const { rowCount } = await db.query(`SELECT 1 FROM revoked_sessions WHERE id = $1 AND "expiresAt" > $2`, [id, new Date(now)]);
  return (rowCount ?? 0) > 0;
}

export async function revokeSessionId(db: Pool, id: string, expires: Date, now: number): Promise<void> {
  await db.query(`INSERT INTO revoked_sessions (id, "expiresAt") VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [id, expires]);
  await db.query(`DELETE FROM revoked_sessions WHERE "expiresAt" <= $1`, [new Date(now)]);
}

export type FailureCount = { count: number; oldest: number | null };

/** Failures per key since `since` (ms). */
export async function recentFailures(db: Pool, keys: string[], since: number): Promise<Map<string, FailureCount>> {
  const { rows } = await db.query<{ key: string; count: string; oldest: Date }>(
    `SELECT key, count(*) AS count, min(at) AS oldest FROM login_failures WHERE key = ANY($1) AND at > $2 GROUP BY key`,
    [keys, new Date(since)],
  );
  return new Map(keys.map((k) => {
    const row = rows.find((r) => r.key === k);
    return [k, row ? { count: Number(row.count), oldest: row.oldest.getTime() } : { count: 0, oldest: null }];
  }));
}

export async function recordFailure(db: Pool, keys: string[], now: number, windowMs: number): Promise<void> {
  await db.query(`INSERT INTO login_failures (key, at) SELECT unnest($1::text[]), $2`, [keys, new Date(now)]);
  await db.query(`DELETE FROM login_failures WHERE at <= $1`, [new Date(now - windowMs)]);
}

export async function forgetFailures(db: Pool, key: string): Promise<void> {
  await db.query(`DELETE FROM login_failures WHERE key = $1`, [key]);
}
