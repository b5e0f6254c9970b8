// Realistic video events written straight into video_events, for demos and benchmarks: rows are
// generated here (rows.ts) and sent with COPY, one connection per core.
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Pool, PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createDb } from "../db/client";
import { rebuildSummaries } from "./rebuild-summaries";
import { SEED_COLUMNS, seedRowGenerator } from "./rows";

export type SeedOptions = {
  videos: number;
  /** How many distinct senders the history draws from (default: one per 50 videos). */
  senders?: number;
  /** How many conversations, groups and private chats together (default: one per 200 videos). */
  conversations?: number;
  /** Rows per INSERT statement. */
  chunkSize?: number;
  /**
   * "triggers": the summary triggers run per chunk, as for any other writer.
   * "rebuild": this session skips the triggers (session_replication_role, needs a superuser)
   * and the summaries are rebuilt once at the end; faster for large loads.
   */
  summaries?: "triggers" | "rebuild";
  /** When the seeded history ends; it starts 90 days earlier. */
  now?: Date;
  /** Into an empty table, drop the secondary indexes and build them after the load (default from 100k rows). */
  deferIndexes?: boolean;
  /** Connections inserting at once (rebuild mode only: with the triggers on, always one). */
  parallel?: number;
  onProgress?: (done: number, total: number) => void;
  /** Told when the load moves on to building indexes or summaries (minutes each at 10M rows). */
  onPhase?: (phase: string) => void;
  /** The run's random seed and first serverId (default: random): the same ones give the same rows. */
  seed?: number;
  serverIdBase?: bigint;
};

export type SeedShape = { senders: number; groups: number; privateChats: number; instances: number };

/**
 * About one sender per 50 videos and one conversation per 200 (four in ten of them groups), as a
 * fleet of robots sees them; one robot per 50,000 videos, at least 3 and at most 200.
 */
export function seedShape(videos: number, counts: { senders?: number; conversations?: number } = {}): SeedShape {
  const senders = counts.senders ?? Math.max(20, Math.ceil(videos / 50));
  const conversations = Math.max(2, counts.conversations ?? Math.max(10, Math.ceil(videos / 200)));
  const groups = Math.max(1, Math.round(conversations * 0.4));
  return { senders, groups, privateChats: conversations - groups, instances: Math.min(200, Math.max(3, Math.ceil(videos / 50_000))) };
}

export type SeedResult = {
  inserted: number;
  seconds: number;
  /** The rows alone; the rest of `seconds` is the indexes and summaries, built at once. */
  insertSeconds: number;
  /** CPU seconds the inserting PostgreSQL backends used, when they run on this machine (Linux). */
  insertCpuSeconds: number | null;
  /** CPU seconds the index builds used (0 when none were deferred). */
  indexCpuSeconds: number | null;
  /** CPU seconds the summary rebuild's backend used (null when unknown or with the triggers on). */
  summaryCpuSeconds: number | null;
  summaries: "triggers" | "rebuild";
};

/** User + system CPU seconds of a local process, from /proc; null when it cannot be read. */
function cpuSeconds(pid: number): number | null {
  try {
    // After the command name: state is the 3rd field, utime the 14th, stime the 15th (in 1/100 s).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Runs `work` on one connection; returns the CPU seconds its backend used (null when unknown). */
async function withBackendCpu(db: Pool, work: (client: PoolClient) => Promise<unknown>): Promise<number | null> {
  const client = await db.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const before = cpuSeconds(rows[0].pid);
    await work(client);
    const after = cpuSeconds(rows[0].pid);
    return before === null || after === null ? null : after - before;
  } finally {
    client.release();
  }
}

/** The summaries rebuilt through Prisma Client on the seed's pool; returns the CPU its backend used, as withBackendCpu. */
async function rebuildWithCpu(db: Pool): Promise<number | null> {
  const client = createDb(db);
  const backend: { pid?: number; before?: number | null } = {};
  try {
    await rebuildSummaries(client, { onBackend: (pid) => Object.assign(backend, { pid, before: cpuSeconds(pid) }) });
  } finally {
    await client.$disconnect();
  }
  const after = backend.pid === undefined ? null : cpuSeconds(backend.pid);
  return backend.before == null || after === null ? null : after - backend.before;
}

/** Writes `videos` new video events; returns how many were inserted (all, barring an id clash). */
export async function seedVideos(db: Pool, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const mode = options.summaries ?? "triggers";
  // The notify trigger's payload (every new id) must stay under PostgreSQL's 8000 bytes.
  const chunkSize = options.chunkSize ?? (mode === "triggers" ? 500 : 25_000);
  const shape = seedShape(options.videos, options);
  const now = options.now ?? new Date();
  // A fresh id range per run, so seeding twice adds rather than collides.
  const serverIdBase = options.serverIdBase ?? BigInt(randomInt(1, 2 ** 40)) * 1_048_576n + 1_000_000_000_000_000_000n;
  const seed = options.seed ?? randomInt(1, 2 ** 31);
  const chunks: [number, number][] = [];
  for (let start = 0; start < options.videos; start += chunkSize) chunks.push([start, Math.min(options.videos, start + chunkSize)]);
  let inserted = 0;
  let done = 0;
  // Storing rows (parsing raw's jsonb above all) is CPU work in PostgreSQL: one connection per core.
  // CPU used per inserting backend (null when it cannot be read): a figure the machine's load does not skew.
  const cpuUsed: (number | null)[] = [];
  // Into an empty table, building the indexes once afterwards is cheaper than maintaining them row
  // by row, the unique identity index above all (random keys: at a million rows its inserts no
  // longer stay in memory). The primary key stays. Meanwhile the receiver's insert, which names
  // the identity index, fails as if the database were away: callbacks go to the spool and are
  // stored once the index is back.
  const deferred = mode === "rebuild" && (options.deferIndexes ?? options.videos >= 100_000) ? await dropIndexesIfEmpty(db) : [];
  // Without the identity index (an empty table being loaded) nothing can clash: COPY goes
  // straight in. With it, a clash with an earlier run's ids is unlikely, not impossible: rows go
  // through a temporary table and INSERT ... ON CONFLICT DO NOTHING skips a clashing one.
  const direct = deferred.some((i) => i.name === "video_events_identity_key");
  const lines = seedRowGenerator({ ...shape, videos: options.videos, now, serverIdBase, seed });
  let loaded = false;
  try {
    await insertChunks();
    loaded = true;
  } finally {
    // A failed load still gets its indexes back.
    if (!loaded) await recreateIndexes(db, deferred);
  }
  const insertSeconds = (performance.now() - started) / 1000;
  const insertCpuSeconds = cpuUsed.includes(null) ? null : cpuUsed.reduce<number>((sum, c) => sum + (c ?? 0), 0);
  // The indexes and the summaries are built at once: both only read video_events (CREATE INDEX's
  // lock and the rebuild's SHARE lock do not conflict), and the rebuild runs on one connection, so
  // one after the other left a core idle for its whole length.
  // The notify trigger was skipped too, on purpose: a bulk load is history, not live news.
  const phases = [deferred.length ? `building ${deferred.length} indexes` : "", mode === "rebuild" ? "rebuilding the summaries" : ""].filter(Boolean);
  if (phases.length) options.onPhase?.(`${phases.join(" and ")}...`);
  const [indexCpuSeconds, summaryCpuSeconds] = await Promise.all([
    recreateIndexes(db, deferred),
    mode === "rebuild" ? rebuildWithCpu(db) : null,
  ]);
  return { inserted, seconds: (performance.now() - started) / 1000, insertSeconds, insertCpuSeconds, indexCpuSeconds, summaryCpuSeconds, summaries: mode };

  // Chunks are handed out to one connection per core until none are left.
  async function insertChunks() {
    // With the triggers on, one connection: two concurrent multi-row inserts upsert the same summary
    // rows in different orders and deadlock (seen here; see docs/performance.md).
    const parallel = mode === "triggers" ? 1 : (options.parallel ?? 2);
    const workers = Array.from({ length: Math.min(parallel, chunks.length) }, () =>
      withBackendCpu(db, async (client) => {
        try {
          if (mode === "rebuild") await client.query("SET session_replication_role = replica");
          // Each row's raw envelope (with its long CDN URLs) is big enough to be compressed; lz4
          // costs a quarter less CPU than the default pglz here, for the same size. Readers need
          // nothing: the method is stored with each value. Older servers without lz4 keep pglz.
          await client.query("SET default_toast_compression = lz4").catch(() => {});
          if (!direct) await client.query(`CREATE TEMP TABLE IF NOT EXISTS seed_rows AS SELECT ${COLUMN_LIST} FROM video_events WITH NO DATA`);
          for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
            // Awaited first: `inserted += await ...` would read the total before the other worker adds to it.
            const stored = await writeChunk(client, chunk[0], chunk[1]);
            inserted += stored;
            done += chunk[1] - chunk[0];
            options.onProgress?.(done, options.videos);
          }
        } finally {
          // The connection goes back to the pool: it must not keep skipping triggers.
          await client.query("DROP TABLE IF EXISTS seed_rows; RESET session_replication_role; RESET default_toast_compression").catch(() => {});
        }
      }),
    );
    cpuUsed.push(...(await Promise.all(workers)));
  }

  /** Rows [first, last) in one COPY (and one INSERT through the temporary table); returns those stored. */
  async function writeChunk(client: PoolClient, first: number, last: number): Promise<number> {
    // A few batches may wait in the stream, so this process makes the next rows while PostgreSQL
    // stores the last ones (with the default 16 KiB each side waited for the other).
    const copy = client.query(copyFrom(`COPY ${direct ? "video_events" : "seed_rows"} (${COLUMN_LIST}) FROM STDIN`, { highWaterMark: 4 * 2 ** 20 }));
    await pipeline(Readable.from(linesOf(first, last)), copy);
    if (direct) return copy.rowCount;
    const { rowCount } = await client.query(
      `INSERT INTO video_events (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM seed_rows ON CONFLICT ("instanceId", "messageKey", "sendTime") DO NOTHING`,
    );
    await client.query("TRUNCATE seed_rows");
    return rowCount ?? 0;
  }

  /** The chunk's lines a few hundred rows at a time, so the COPY stream's backpressure holds. */
  function* linesOf(first: number, last: number) {
    for (let from = first; from < last; from += 500) yield lines(from, Math.min(last, from + 500));
  }
}

const COLUMN_LIST = SEED_COLUMNS.map((c) => `"${c}"`).join(", ");

type IndexDefinition = { name: string; definition: string };

async function dropIndexesIfEmpty(db: Pool): Promise<IndexDefinition[]> {
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    // The lock keeps a writer from slipping rows in between the check and the drop.
    await client.query("LOCK TABLE video_events IN SHARE ROW EXCLUSIVE MODE");
    const { rows: [{ empty }] } = await client.query<{ empty: boolean }>("SELECT NOT EXISTS (SELECT 1 FROM video_events) AS empty");
    if (!empty) {
      await client.query("ROLLBACK");
      return [];
    }
    const { rows } = await client.query<IndexDefinition>(
      `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       WHERE x.indrelid = 'video_events'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    );
    for (const index of rows) await client.query(`DROP INDEX "${index.name}"`);
    await client.query("COMMIT");
    return rows;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Builds the indexes, two at a time; returns the CPU seconds the builds took (null if unknown). */
async function recreateIndexes(db: Pool, indexes: IndexDefinition[]): Promise<number | null> {
  if (indexes.length === 0) return 0;
  const queue = [...indexes];
  const used = await Promise.all(
    [0, 1].map(() =>
      withBackendCpu(db, async (client) => {
        await client.query("SET maintenance_work_mem = '512MB'");
        for (let index = queue.shift(); index; index = queue.shift()) await client.query(index.definition);
        await client.query("RESET maintenance_work_mem");
      }),
    ),
  );
  return used.includes(null) ? null : used.reduce<number>((sum, c) => sum + (c ?? 0), 0);
}
