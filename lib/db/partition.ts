// Monthly partitions of video_events by "sendTime", for when one table has grown too big to keep
// its indexes in memory or to age out by DELETE. `npm run db:partition` converts the table
// online: callbacks keep being stored throughout, and the one exclusive lock lasts milliseconds.
//
// The migrations prepared for it (20261126170000, 20261126170100): every unique key holds
// "sendTime", and no foreign key references video_events. The conversion then:
//   1. adds CHECK ("sendTime" < <bound>) NOT VALID and builds the unique index on (id, "sendTime")
//      the new primary key needs CONCURRENTLY; then VALIDATEs the check, which scans but lets
//      writes go on;
//   2. in one short transaction: makes that index the primary key, renames the table to
//      video_events_legacy (and its indexes), creates
//      the partitioned video_events with the same columns, indexes and triggers, attaches the old
//      table as the partition for everything before <bound> (the validated check spares the scan,
//      and the existing indexes are adopted, not rebuilt), and creates the months ahead and a
//      default partition for dates beyond them.
// A run that fails or is interrupted (an error, SIGINT, the swap giving up after its lock
// retries) undoes what it added: the bound check goes, and so does the (id, "sendTime") index, and
// the table is as it was. A run killed outright (SIGKILL) cannot: the conversion holds a session
// advisory lock, and every app instance drops a bound check that no running conversion holds
// (`dropAbandonedConversion`, every minute). Meanwhile a video refused by the bound check is
// spooled and answered 200, never refused (`deliveryFailure` in lib/db/errors.ts).
// Afterwards `ensureMonthlyPartitions` (run by every app instance every few hours) keeps months
// ahead in place.
import type { Pool, PoolClient } from "pg";
import { escapeLiteral } from "pg";

const TABLE = "video_events";
const LEGACY = "video_events_legacy";
const STAGING = "video_events_partitioned";
const DEFAULT_PARTITION = "video_events_default";
const BOUND_CHECK = "video_events_partition_bound";
const ID_TIME_KEY = "video_events_id_time_key";
/** Held (session advisory lock) for as long as a conversion runs. */
const CONVERSION_LOCK = "video_events partition conversion";
/** The constraint a conversion adds for a while: a row it refuses is not bad data. */
export const PARTITION_BOUND_CHECK = BOUND_CHECK;

export type PartitionOptions = {
  /** Months after the current one that get their partition ahead of time. */
  monthsAhead?: number;
  now?: Date;
  /** How long the conversion's brief exclusive lock may wait behind running queries, per attempt. */
  lockTimeoutMs?: number;
  /** Told of each step as it ends; the conversion waits for what it returns. */
  onStep?: (message: string) => void | Promise<void>;
  /** Interrupts the conversion (SIGINT): the running statement is cancelled and the run undone. */
  signal?: AbortSignal;
  /** Attempts at each brief exclusive lock before giving up. */
  lockAttempts?: number;
};

export type PartitionReport = {
  /** False when video_events was partitioned already. */
  converted: boolean;
  /** Partitions created by this run, by name. */
  created: string[];
};

/** The first instant (UTC) of the month `months` after the one `at` falls in. */
export function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

export function partitionName(month: Date): string {
  return `${TABLE}_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

export async function isPartitioned(db: Pool | PoolClient): Promise<boolean> {
  const { rows } = await db.query<{ kind: string }>(`SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass($1)`, [TABLE]);
  return rows[0]?.kind === "p";
}

export async function partitionVideoEvents(db: Pool, options: PartitionOptions = {}): Promise<PartitionReport> {
  const say = options.onStep ?? (() => {});
  const now = options.now ?? new Date();
  if (await isPartitioned(db)) {
    say("video_events is partitioned already");
    return { converted: false, created: await ensureMonthlyPartitions(db, options) };
  }

  const holder = await db.connect();
  try {
    const { rows } = await holder.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS got`, [CONVERSION_LOCK]);
    if (!rows[0].got) throw new Error("another conversion (npm run db:partition) is running");
    try {
      return await convert(db, options, now, say);
    } catch (err) {
      await say(`conversion stopped (${(err as Error).message.split("\n")[0]}): undoing it`);
      await undoConversion(db, options);
      await say("video_events is as it was: no bound check, no (id, sendTime) index");
      throw err;
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(hashtext($1))`, [CONVERSION_LOCK]);
    }
  } finally {
    holder.release();
  }
}

async function convert(db: Pool, options: PartitionOptions, now: Date, say: (message: string) => void | Promise<void>): Promise<PartitionReport> {
  const { signal } = options;
  signal?.throwIfAborted();
  const bound = await addBoundCheck(db, now, options);
  await say(`rows sent before ${bound.toISOString()} stay in ${LEGACY}; later months get partitions of their own`);
  signal?.throwIfAborted();
  await addIdTimeKey(db, signal);
  await say(`unique index on (id, "sendTime") built`);
  signal?.throwIfAborted();
  await cancellable(db, signal, `ALTER TABLE ${TABLE} VALIDATE CONSTRAINT ${BOUND_CHECK}`);
  await say("bound validated (writes went on meanwhile)");
  signal?.throwIfAborted();
  const swapStarted = performance.now();
  await withLockRetries(db, options, (client) => swapInPartitionedTable(client, bound));
  const swapMs = Math.round(performance.now() - swapStarted);
  await say(`video_events is partitioned (writes waited at most ${swapMs} ms for the swap); ${LEGACY} holds what came before`);
  return { converted: true, created: [LEGACY, ...(await ensureMonthlyPartitions(db, options)), DEFAULT_PARTITION] };
}

/** Removes what an unfinished conversion added; nothing once the table is partitioned. */
async function undoConversion(db: Pool, options: Pick<PartitionOptions, "lockTimeoutMs">): Promise<void> {
  if (await isPartitioned(db)) return;
  // Retried for as long as it takes: a check left behind would hold back every later month.
  await withLockRetries(db, { lockTimeoutMs: options.lockTimeoutMs, lockAttempts: Infinity }, (client) =>
    client.query(`ALTER TABLE ${TABLE} DROP CONSTRAINT IF EXISTS ${BOUND_CHECK}`),
  );
  await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${ID_TIME_KEY}`);
}

/**
 * Undoes a conversion that ended without undoing itself (killed outright): when the bound check
 * is there, the table is not partitioned, and no conversion holds the lock. Every app instance runs
 * it every minute. Returns whether it undid one.
 */
export async function dropAbandonedConversion(db: Pool): Promise<boolean> {
  if (!(await boundOfCheck(db))) return false;
  const client = await db.connect();
  try {
    const { rows } = await client.query<{ got: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS got`, [CONVERSION_LOCK]);
    if (!rows[0].got) return false;
    try {
      if (!(await boundOfCheck(db))) return false;
      await undoConversion(db, {});
      return true;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [CONVERSION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** Runs a long statement on a connection of its own, cancelled (pg_cancel_backend) when `signal` aborts. */
async function cancellable(db: Pool, signal: AbortSignal | undefined, sql: string): Promise<void> {
  const client = await db.connect();
  const { rows } = await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
  const cancel = () => void db.query(`SELECT pg_cancel_backend($1)`, [rows[0].pid]).catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    await client.query(sql);
  } finally {
    signal?.removeEventListener("abort", cancel);
    client.release();
  }
  signal?.throwIfAborted();
}

/** The bound is the start of the month after the latest of now and the newest sendTime stored. */
async function addBoundCheck(db: Pool, now: Date, options: PartitionOptions): Promise<Date> {
  const existing = await boundOfCheck(db);
  if (existing) return existing;
  return withLockRetries(db, options, async (client) => {
    // The lock keeps a later-dated row from arriving between reading the newest sendTime and
    // adding the check; it is the one ADD CONSTRAINT takes anyway, taken first so as not to
    // upgrade a weaker one (a deadlock with a waiting writer).
    await client.query(`LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE`);
    const { rows } = await client.query<{ newest: Date | null }>(`SELECT max("sendTime") AS newest FROM ${TABLE}`);
    const newest = rows[0].newest && rows[0].newest > now ? rows[0].newest : now;
    const bound = monthStart(newest, 1);
    await client.query(`ALTER TABLE ${TABLE} ADD CONSTRAINT ${BOUND_CHECK} CHECK ("sendTime" < ${timestamp(bound)}) NOT VALID`);
    return bound;
  });
}

async function boundOfCheck(db: Pool): Promise<Date | null> {
  const { rows } = await db.query<{ bound: Date }>(
    `SELECT (regexp_match(pg_get_constraintdef(oid), '''([^'']+)'''))[1]::timestamptz AS bound
     FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2`,
    [TABLE, BOUND_CHECK],
  );
  return rows[0]?.bound ?? null;
}

/**
 * The partitioned table's primary key must hold "sendTime". Its index is built here without a
 * write lock; the swap makes it the old table's primary key, so that attaching adopts it.
 */
async function addIdTimeKey(db: Pool, signal?: AbortSignal): Promise<void> {
  const { rows } = await db.query<{ valid: boolean }>(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)`, [ID_TIME_KEY]);
  if (rows[0]?.valid) return;
  // A concurrent build that failed leaves an invalid index behind: start that one again.
  if (rows[0]) await db.query(`DROP INDEX CONCURRENTLY ${ID_TIME_KEY}`);
  await cancellable(db, signal, `CREATE UNIQUE INDEX CONCURRENTLY ${ID_TIME_KEY} ON ${TABLE} (id, "sendTime")`);
}

type IndexRow = { name: string; definition: string; primary: boolean };

async function swapInPartitionedTable(client: PoolClient, bound: Date): Promise<void> {
  await client.query(`LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE`);
  if (await isPartitioned(client)) return;
  // The primary key becomes (id, "sendTime"), the one the partitioned table will have: a table with
  // another primary key cannot be attached (PostgreSQL 18 says so; 15 adopted the unique index).
  await client.query(`ALTER TABLE ${TABLE} DROP CONSTRAINT ${TABLE}_pkey`);
  await client.query(`ALTER TABLE ${TABLE} ADD CONSTRAINT ${TABLE}_pkey PRIMARY KEY USING INDEX ${ID_TIME_KEY}`);
  const { rows: indexes } = await client.query<IndexRow>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, x.indisprimary AS primary
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = $1::regclass`,
    [TABLE],
  );
  const { rows: triggers } = await client.query<{ name: string; definition: string }>(
    `SELECT tgname AS name, pg_get_triggerdef(oid) AS definition FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal`,
    [TABLE],
  );

  await client.query(`DROP TABLE IF EXISTS ${STAGING}`);
  await client.query(
    `CREATE TABLE ${STAGING} (LIKE ${TABLE} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ("sendTime")`,
  );
  // The old table keeps its indexes under new names; the partitioned table takes the old names,
  // so later migrations find them where they always were.
  for (const index of indexes) await client.query(`ALTER INDEX "${index.name}" RENAME TO "${legacyName(index.name)}"`);
  await client.query(`ALTER TABLE ${STAGING} ADD CONSTRAINT ${TABLE}_pkey PRIMARY KEY (id, "sendTime")`);
  for (const index of indexes) {
    if (!index.primary) await client.query(index.definition.replace(/ ON (ONLY )?\S+ USING /, ` ON ${STAGING} USING `));
  }
  await client.query(`ALTER TABLE ${TABLE} RENAME TO ${LEGACY}`);
  await client.query(`ALTER TABLE ${STAGING} RENAME TO ${TABLE}`);
  await client.query(`ALTER TABLE ${TABLE} ATTACH PARTITION ${LEGACY} FOR VALUES FROM (MINVALUE) TO (${timestamp(bound)})`);
  // The id sequence goes with the table that now receives every insert.
  await client.query(`ALTER SEQUENCE ${TABLE}_id_seq OWNED BY ${TABLE}.id`);
  // Statement-level triggers fire for the table a statement names: from now on, the parent.
  for (const trigger of triggers) {
    await client.query(`DROP TRIGGER "${trigger.name}" ON ${LEGACY}`);
    await client.query(trigger.definition);
  }
  await client.query(`CREATE TABLE ${DEFAULT_PARTITION} PARTITION OF ${TABLE} DEFAULT`);
}

function legacyName(name: string): string {
  return name.startsWith(TABLE) ? LEGACY + name.slice(TABLE.length) : `${name}_legacy`;
}

/**
 * Creates the partitions of the current month and `monthsAhead` months after it that do not
 * exist yet (none while video_events is not partitioned). Rows the default partition already holds
 * for such a month move into it. Returns the names of the partitions created.
 */
export async function ensureMonthlyPartitions(db: Pool, options: PartitionOptions = {}): Promise<string[]> {
  if (!(await isPartitioned(db))) return [];
  const now = options.now ?? new Date();
  const until = monthStart(now, 1 + (options.monthsAhead ?? 3));
  const created: string[] = [];
  for (let month = (await firstUncoveredMonth(db)) ?? monthStart(now); month < until; month = monthStart(month, 1)) {
    const name = partitionName(month);
    const made = await withLockRetries(db, options, async (client) => {
      // Every instance runs this: one at a time, and the others find the month done.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('${TABLE} partitions'))`);
      if ((await client.query(`SELECT to_regclass($1) AS found`, [name])).rows[0].found) return false;
      // Rows of this month cannot be routed to the default partition while they move.
      await client.query(`LOCK TABLE ${DEFAULT_PARTITION} IN SHARE ROW EXCLUSIVE MODE`);
      await client.query(`CREATE TABLE ${name} (LIKE ${TABLE} INCLUDING DEFAULTS INCLUDING STORAGE)`);
      const range = `"sendTime" >= ${timestamp(month)} AND "sendTime" < ${timestamp(monthStart(month, 1))}`;
      // A partition cannot take a range the default partition holds rows of. Moving them is no
      // delete as far as the summaries go: the triggers are on video_events, not its partitions.
      await client.query(`WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE ${range} RETURNING *) INSERT INTO ${name} SELECT * FROM moved`);
      await client.query(`ALTER TABLE ${name} ADD CONSTRAINT ${name}_range CHECK (${range})`);
      await client.query(
        `ALTER TABLE ${TABLE} ATTACH PARTITION ${name} FOR VALUES FROM (${timestamp(month)}) TO (${timestamp(monthStart(month, 1))})`,
      );
      return true;
    });
    if (made) created.push(name);
  }
  return created;
}

/** The month after the last one a range partition covers (null when there is no range partition). */
async function firstUncoveredMonth(db: Pool): Promise<Date | null> {
  const { rows } = await db.query<{ upper: Date | null }>(
    `SELECT max((regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz) AS upper
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
    [TABLE],
  );
  return rows[0].upper && monthStart(rows[0].upper);
}

function timestamp(at: Date): string {
  return `${escapeLiteral(at.toISOString())}::timestamptz`;
}

/**
 * Runs `work` in a transaction whose locks wait at most `lockTimeoutMs`: a DDL lock queued behind
 * a long query would block every insert queued behind it. On a lock timeout it tries again, up to
 * `lockAttempts` times (10).
 */
async function withLockRetries<T>(
  db: Pool,
  { lockTimeoutMs = 2_000, lockAttempts = 10 }: Pick<PartitionOptions, "lockTimeoutMs" | "lockAttempts">,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      if ((err as { code?: string }).code !== "55P03" || attempt >= lockAttempts) throw err;
    } finally {
      client.release();
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * Math.min(attempt, 10)));
  }
}
