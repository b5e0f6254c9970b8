// Login state kept in PostgreSQL, so that every instance of the app sees it: a logout on one is
// honoured by all, and N instances do not allow N times the guesses. Revocations and forgetting
// failures are CRUD-shaped (the model API); counting an attempt is one statement under a lock (SQL).
import { Prisma, type Db } from "../db/client";

/** Whether the session `id` was logged out (and would not have expired yet). */
export async function sessionRevoked(db: Db, id: string, now: number): Promise<boolean> {
  return (await db.revokedSession.findFirst({ where: { id, expiresAt: { gt: new Date(now) } }, select: { id: true } })) !== null;
}

export async function revokeSessionId(db: Db, id: string, expires: Date, now: number): Promise<void> {
  await db.revokedSession.createMany({ data: [{ id, expiresAt: expires }], skipDuplicates: true });
  await db.revokedSession.deleteMany({ where: { expiresAt: { lte: new Date(now) } } });
}

/** The advisory lock (class, key) under which login attempts are counted, on every instance. */
const ATTEMPTS_LOCK = [0x4c4f4749, 0] as const;

export type AttemptLimit = { key: string; limit: number };

export type AttemptClaim =
  /** Counted: `ids` are the rows recorded for it (one per key), `addressRowId` the first key's. */
  | { counted: true; ids: string[]; addressRowId: string }
  /** Refused: `key` is at its limit; its oldest counted attempt leaves the window at `oldest + windowMs`. */
  | { counted: false; key: string; oldest: number };

const CLAIM_WAIT = { maxWait: 60_000, timeout: 60_000 };

type CountedRow = { key: string; n: number; lim: number; oldest: Date | null; ids: string[] | null };

/**
 * Counts one login attempt against each key's limit before its password is compared: either every
 * key is under its limit and the attempt is recorded for each (to stay counted, as a failure,
 * unless it turns out right), or it is refused and nothing is recorded. Reading the counts and
 * recording happen under one transaction-scoped advisory lock, so concurrent attempts, from this
 * process or any instance on the database, are counted one after the other: N at once cannot all
 * see the count from before any of them. (Read before and written after the comparison, 300
 * wrong passwords sent at once were 285 comparisons.) The same transaction prunes what left the window.
 */
export async function claimAttempt(db: Db, limits: AttemptLimit[], now: number, windowMs: number): Promise<AttemptClaim> {
  const rows = await db.$transaction(async (tx) => {
    // $executeRaw: the lock function returns void, a column type the adapter refuses.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ATTEMPTS_LOCK[0]}::int, ${ATTEMPTS_LOCK[1]}::int)`;
    // A statement of its own after the lock: its snapshot sees every attempt counted before it.
    const since = new Date(now - windowMs);
    return tx.$queryRaw<CountedRow[]>(Prisma.sql`
      WITH counted AS (
        SELECT k.key, k.lim, k.ord, count(f.id)::int AS n, min(f.at) AS oldest
        FROM unnest(${limits.map((l) => l.key)}::text[], ${limits.map((l) => l.limit)}::int[]) WITH ORDINALITY AS k(key, lim, ord)
        LEFT JOIN login_failures f ON f.key = k.key AND f.at > ${since}
        GROUP BY k.key, k.lim, k.ord
      ), pruned AS (
        DELETE FROM login_failures WHERE at <= ${since}
      ), recorded AS (
        INSERT INTO login_failures (key, at)
        SELECT key, ${new Date(now)} FROM counted WHERE NOT EXISTS (SELECT 1 FROM counted WHERE n >= lim) ORDER BY ord
        RETURNING id, key
      )
      SELECT c.key, c.n, c.lim, c.oldest, (SELECT array_agg(r.id::text ORDER BY r.id) FROM recorded r WHERE r.key = c.key) AS ids
      FROM counted c ORDER BY c.ord`);
    // Not Prisma's 2 s for a connection and 5 s in all: claims queue for the lock (and, from
    // several instances at once, for connections), as they did on the pool.
  }, CLAIM_WAIT);
  const full = rows.find((r) => r.n >= r.lim);
  if (full) return { counted: false, key: full.key, oldest: full.oldest?.getTime() ?? now };
  const ids = rows.map((r) => r.ids![0]);
  return { counted: true, ids, addressRowId: ids[0] };
}

/**
 * A login succeeded: its own attempt is taken back, and the failures of its address counted
 * before it are forgotten. Attempts counted after it (still being compared) stay counted.
 */
export async function forgetFailures(db: Db, claim: { ids: string[]; addressRowId: string }, address: string): Promise<void> {
  await db.loginFailure.deleteMany({
    where: { OR: [{ id: { in: claim.ids.map(BigInt) } }, { key: address, id: { lte: BigInt(claim.addressRowId) } }] },
  });
}
