// The durable receiver: what POST /api/callback calls. A delivery is answered 200 only once it
// is durable: committed to PostgreSQL (grouped with its neighbours), or, when PostgreSQL cannot
// take it, fsync'd to the spool, which drain.ts replays in order once the database answers again.
import { join } from "node:path";
import { config } from "../config";
import { createDb, createPool, db as sharedDb, namedStatements, type Db, type Pool } from "../db/client";
import { errorSummary, log } from "../log";
import { eventLabel, metrics } from "../metrics/registry";
import { VideoBatcher } from "./batcher";
import { classify, type Classified } from "./classify";
import { countDeadLetters } from "./dead-letter";
import { SpoolDrain } from "./drain";
import { rejected, unavailable, type Outcome } from "./outcome";
import { RECORD_DELIVERY_SQL, recordOversizeDelivery, receiveDelivery, storeClassified } from "./store";
import { Spool, type SpoolOptions } from "./spool";
import { STORE_VIDEOS_STATEMENTS } from "./video-store";

/** The receiver's fixed statements, prepared once per connection of its pool (lib/db/client.ts, `namedStatements`). */
const INGEST_STATEMENTS = [...STORE_VIDEOS_STATEMENTS, RECORD_DELIVERY_SQL];

export type IngestorOptions = {
  databaseUrl: string;
  dataDir: string;
  /** Pause between drain attempts while the database is unreachable. */
  retryMs?: number;
  /** Spooled records replayed per statement. */
  drainBatch?: number;
  /** Connections for ingest (separate from the dashboard's pool, so slow pages never hold up callbacks). */
  connections?: number;
  /** How segment files are written (tests record or break it). */
  spool?: SpoolOptions;
};

export type IngestStatus = {
  spoolDepth: number;
  spool: true | string;
  draining: boolean;
  lastDrainError: string | null;
  /** Deliveries in dead-letter files under DATA_DIR (dead-letter.ts). */
  deadLetters: number;
};

export class Ingestor {
  /** The receiver's own pool (so slow pages never hold up callbacks), and its Prisma Client on it. */
  readonly pool: Pool;
  private readonly db: Db;
  private readonly batcher: VideoBatcher;
  private readonly drain: SpoolDrain;
  private inFlight = 0;
  private readonly dataDir: string;

  private constructor(
    private readonly spool: Spool,
    options: IngestorOptions,
  ) {
    this.pool = createPool(options.databaseUrl, options.connections ?? 6, {
      applicationName: "wechat-video-dashboard:ingest",
      // A database that hangs rather than refuses must not hold a delivery for long: after
      // these, the delivery goes to the spool.
      connectionTimeoutMillis: 2000,
      queryTimeout: 5000,
    });
    this.db = createDb(this.pool, { statementName: namedStatements(INGEST_STATEMENTS) });
    this.batcher = new VideoBatcher(this.db);
    this.dataDir = options.dataDir;
    this.drain = new SpoolDrain(spool, this.db, { retryMs: options.retryMs, drainBatch: options.drainBatch, onDepth: () => this.updateGauge(), dataDir: options.dataDir });
  }

  static async start(options: IngestorOptions): Promise<Ingestor> {
    const spool = await Spool.open(join(options.dataDir, "spool"), options.spool);
    const ingestor = new Ingestor(spool, options);
    if (spool.depth > 0) log.warn({ spoolDepth: spool.depth }, "spooled deliveries from an earlier run: replaying them");
    ingestor.drain.start();
    ingestor.updateGauge();
    return ingestor;
  }

  /** Receives one delivery: classify, store (or spool), and say what became of it. */
  async receive(body: Buffer, receivedAt = new Date(), contentType: string | null = null): Promise<Outcome> {
    this.inFlight++;
    try {
      return await this.receiveOne(body, receivedAt, contentType);
    } finally {
      this.inFlight--;
    }
  }

  private async receiveOne(body: Buffer, receivedAt: Date, contentType: string | null): Promise<Outcome> {
    const classified = classify(body);
    // The same key for the database and the spool: if a commit's answer is lost, the replay is a no-op.
    const key = this.spool.nextKey();
    // While anything waits in the spool, new deliveries queue behind it: order is kept, and a
    // database that just failed is not hammered by every request.
    if (this.spool.depth === 0) {
      try {
        return await storeClassified(this.db, classified, body, receivedAt, { spoolKey: key, contentType, storeVideo: (item) => this.batcher.store(item) });
      } catch (err) {
        log.warn({ err: errorSummary(err) }, "database unavailable: spooling the delivery");
      }
    }
    return this.spoolDelivery(classified, body, receivedAt, key, contentType);
  }

  async status(): Promise<IngestStatus> {
    const [spool, deadLetters] = await Promise.all([this.spool.writable(), countDeadLetters(this.dataDir)]);
    return { spoolDepth: this.spool.depth, spool, ...this.drain.status(), deadLetters };
  }

  /**
   * Graceful shutdown: stops the drain (a replay in progress finishes its statement), lets the
   * deliveries in flight finish (up to `graceMs`), then closes the spool and the pool.
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.pool.ended) return;
    await this.stopDrain();
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.spool.close();
    await this.db.$disconnect();
    await this.pool.end();
  }

  /**
   * Stops the drain (a replay in progress finishes its statement); deliveries are still received.
   * What the server does on SIGTERM: Next goes on answering requests on open connections for a
   * while, and each must still be stored or spooled; the spool needs no closing (every append is
   * fsync'd) and the next process adopts what is left in it.
   */
  stopDrain(): Promise<void> {
    return this.drain.stop();
  }

  private async spoolDelivery(classified: Classified, body: Buffer, receivedAt: Date, key: string, contentType: string | null): Promise<Outcome> {
    const eventCode = classified.eventCode;
    // A rejected delivery is answered 400 whatever happens to its record: a retry cannot help it.
    const refused = classified.kind === "rejected" ? rejected(eventCode, classified.error, classified.issues) : null;
    try {
      await this.spool.append(body, receivedAt, key, contentType);
      this.updateGauge();
      this.drain.wake();
      return refused ?? { status: 200, outcome: "spooled", eventCode };
    } catch (err) {
      log.error({ err: errorSummary(err) }, "delivery could not be stored nor spooled");
      return refused ?? unavailable(eventCode);
    }
  }

  private updateGauge(): void {
    metrics.spoolDepth.set(this.spool.depth);
  }
}

/** What the callback's body reader hands over: the bytes, or their first part when over the limit. */
export type CallbackBody = { data: Buffer; bytes: number; tooLarge: boolean };

/**
 * One callback, from its body read under the size limit to its outcome: an oversize body is
 * recorded with its first bytes; anything else goes to the process's receiver, or, when that
 * cannot start (the spool directory cannot be created), straight to the database without the
 * spool's safety net rather than refusing what the database can still take.
 */
export async function receiveCallback(body: CallbackBody, limit: number, contentType: string | null): Promise<Outcome> {
  if (body.tooLarge) {
    await recordOversizeDelivery(sharedDb(), body.data, body.bytes, limit).catch((err) => log.error({ err: errorSummary(err) }, "an oversize delivery could not be recorded"));
    const error = `body over ${limit} bytes (CALLBACK_MAX_BYTES)`;
    return { status: 413, outcome: "rejected", eventCode: null, error, bytes: body.bytes, head: body.data.subarray(0, 200).toString("utf8") };
  }
  let receiver: Ingestor;
  try {
    receiver = await ingestor();
  } catch (err) {
    log.error({ cause: errorSummary(err) }, "the spool is unavailable: storing the callback directly");
    return receiveDelivery(sharedDb(), body.data, new Date(), { contentType }).catch((stored) => {
      log.error({ err: errorSummary(stored) }, "callback could not be stored");
      return unavailable(null);
    });
  }
  return receiver.receive(body.data, new Date(), contentType);
}

/** Counts and logs one answered callback (`path` already redacted). */
export function reportCallback(outcome: Outcome, path: string, seconds: number): void {
  metrics.callbacks.inc({ event: eventLabel(outcome.eventCode), outcome: outcome.outcome });
  metrics.ingestSeconds.observe(seconds);
  // A JSON syntax error quotes the body around the fault; the logger masks media keys in it.
  const detail = outcome.status === 413 ? { bytes: outcome.bytes, head: outcome.head } : outcome.status === 400 || outcome.status === 503 ? { error: outcome.error } : {};
  const line = { method: "POST", path, status: outcome.status, ms: Math.round(seconds * 10_000) / 10, event: outcome.eventCode, outcome: outcome.outcome, ...detail };
  if (outcome.status >= 500) log.error(line, "callback");
  else log.info(line, "callback");
}

// One per process, on globalThis: Next bundles each route (and instrumentation.ts) separately,
// and they must all share one spool writer and one drain.
const holder = globalThis as unknown as { __videoDashboardIngestor?: Promise<Ingestor> };

/** The process's receiver, started on first use (instrumentation.ts starts it at boot). */
export function ingestor(): Promise<Ingestor> {
  if (!holder.__videoDashboardIngestor) {
    const { DATABASE_URL, DATA_DIR, SPOOL_DRAIN_BATCH } = config();
    if (!DATABASE_URL) return Promise.reject(new Error("DATABASE_URL is not set: start the app with `npm start`, which provides one"));
    holder.__videoDashboardIngestor = Ingestor.start({ databaseUrl: DATABASE_URL, dataDir: DATA_DIR, drainBatch: SPOOL_DRAIN_BATCH });
    // A failed start (the spool directory cannot be created) is retried on next use.
    holder.__videoDashboardIngestor.catch(() => (holder.__videoDashboardIngestor = undefined));
  }
  return holder.__videoDashboardIngestor;
}

/** The running receiver, if one was started: shutdown must not start one just to close it. */
export function runningIngestor(): Promise<Ingestor> | undefined {
  return holder.__videoDashboardIngestor;
}
