// The durable receiver: what POST /api/callback calls. A delivery is answered 200 only once it
// is durable: committed to PostgreSQL (grouped with its neighbours), or, when PostgreSQL cannot
// take it, fsync'd to the spool. A background drain replays the spool in order once the
// database answers again; replays are idempotent (video identity, deliveries.spoolKey).
import { join } from "node:path";
import pg from "pg";
import { config } from "../config";
import { log } from "../log";
import { metrics } from "../metrics/registry";
import { VideoBatcher, isDataError, storeVideos, type VideoItem } from "./batch";
import { classify, keptVideoBody, storeClassified, videoRow, type Classified, type Issue } from "./receive";
import { Spool, type Segment, type SpoolOptions, type SpoolRecord } from "./spool";

export type Received = {
  status: 200 | 400 | 503;
  /** What became of the delivery: its stored outcome, or "spooled", or "unavailable" (503). */
  outcome: "stored" | "duplicate" | "other_event" | "rejected" | "spooled" | "unavailable";
  eventCode: string | null;
  error?: string;
  issues?: Issue[];
};

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

export type IngestStatus = { spoolDepth: number; spool: true | string; draining: boolean; lastDrainError: string | null };

export class Ingestor {
  readonly pool: pg.Pool;
  private readonly batcher: VideoBatcher;
  private readonly retryMs: number;
  private readonly drainBatch: number;
  private stopped = false;
  private draining = false;
  private inFlight = 0;
  private drainLoop: Promise<void> = Promise.resolve();
  /** Wakes the idle drain (a delivery was spooled). */
  private wake: (() => void) | null = null;
  /** Ends a drain's pause between failed attempts early (shutdown only). */
  private interruptRetry: (() => void) | null = null;
  private lastDrainError: string | null = null;
  /** Records of a segment already committed in this process (a failed drain resumes there). */
  private readonly progress = new Map<Segment, number>();

  private constructor(
    private readonly spool: Spool,
    options: IngestorOptions,
  ) {
    this.pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.connections ?? 6,
      application_name: "wechat-video-dashboard:ingest",
      // A database that hangs rather than refuses must not hold a delivery for long: after
      // these, the delivery goes to the spool.
      connectionTimeoutMillis: 2000,
      query_timeout: 5000,
    });
    this.pool.on("error", () => {});
    this.batcher = new VideoBatcher(this.pool);
    this.retryMs = options.retryMs ?? 1000;
    this.drainBatch = options.drainBatch ?? 500;
  }

  static async start(options: IngestorOptions): Promise<Ingestor> {
    const spool = await Spool.open(join(options.dataDir, "spool"), options.spool);
    const ingestor = new Ingestor(spool, options);
    if (spool.depth > 0) log.warn({ spoolDepth: spool.depth }, "spooled deliveries from an earlier run: replaying them");
    ingestor.drainLoop = ingestor.runDrain();
    ingestor.updateGauge();
    return ingestor;
  }

  /** Receives one delivery: classify, store (or spool), and say what to answer. */
  async receive(body: Buffer, receivedAt = new Date(), contentType: string | null = null): Promise<Received> {
    this.inFlight++;
    try {
      return await this.receiveOne(body, receivedAt, contentType);
    } finally {
      this.inFlight--;
    }
  }

  private async receiveOne(body: Buffer, receivedAt: Date, contentType: string | null): Promise<Received> {
    const classified = classify(body);
    const eventCode = classified.eventCode;
    // The same key for the database and the spool: if a commit's answer is lost, the replay is a no-op.
    const key = this.spool.nextKey();
    // While anything waits in the spool, new deliveries queue behind it: order is kept, and a
    // database that just failed is not hammered by every request.
    if (this.spool.depth === 0) {
      try {
        const result = await storeClassified(this.pool, classified, body, receivedAt, {
          spoolKey: key,
          contentType,
          storeVideo: (item) => this.batcher.store(item),
        });
        if (result.outcome === "rejected") return { status: 400, outcome: "rejected", eventCode, error: result.error, issues: result.issues };
        return { status: 200, outcome: result.outcome, eventCode };
      } catch (err) {
        log.warn({ err: errorSummary(err) }, "database unavailable: spooling the delivery");
      }
    }
    return this.spoolDelivery(classified, body, receivedAt, key, contentType);
  }

  status(): Promise<IngestStatus> {
    return this.spool.writable().then((spool) => ({
      spoolDepth: this.spool.depth,
      spool,
      draining: this.draining,
      lastDrainError: this.lastDrainError,
    }));
  }

  /**
   * Graceful shutdown: stops the drain (a replay in progress finishes its statement), lets the
   * deliveries in flight finish (up to `graceMs`), then closes the spool and the pool.
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.pool.ended) return;
    await this.stopDrain();
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(10);
    await this.spool.close();
    await this.pool.end();
  }

  /**
   * Stops the drain (a replay in progress finishes its statement); deliveries are still received.
   * What the server does on SIGTERM: Next goes on answering requests on open connections for a
   * while, and each must still be stored or spooled; the spool needs no closing (every append is
   * fsync'd) and the next process adopts what is left in it.
   */
  async stopDrain(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.interruptRetry?.();
    await this.drainLoop;
  }

  private async spoolDelivery(classified: Classified, body: Buffer, receivedAt: Date, key: string, contentType: string | null): Promise<Received> {
    const eventCode = classified.eventCode;
    const rejected = classified.kind === "rejected" ? { status: 400 as const, outcome: "rejected" as const, eventCode, error: classified.error, issues: classified.issues } : null;
    try {
      await this.spool.append(body, receivedAt, key, contentType);
      this.updateGauge();
      this.wake?.();
      return rejected ?? { status: 200, outcome: "spooled", eventCode };
    } catch (err) {
      log.error({ err: errorSummary(err) }, "delivery could not be stored nor spooled");
      // A rejected delivery is answered 400 whatever happens to its record: a retry cannot help it.
      return rejected ?? { status: 503, outcome: "unavailable", eventCode, error: "the delivery could not be stored: retry later" };
    }
  }

  private async runDrain(): Promise<void> {
    while (!this.stopped) {
      // Another process on this DATA_DIR may have died with deliveries in its spool.
      if (this.spool.depth === 0) await this.spool.adoptOrphans().catch((err) => log.warn({ err: errorSummary(err) }, "could not adopt a dead process's spool"));
      if (this.spool.depth === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
        this.wake = null;
        continue;
      }
      this.draining = true;
      try {
        await this.drainOnce();
        this.lastDrainError = null;
      } catch (err) {
        if (this.lastDrainError === null) log.warn({ err: errorSummary(err), spoolDepth: this.spool.depth }, "spool drain paused: database unavailable");
        this.lastDrainError = errorSummary(err);
        // Not woken by new deliveries: while the database is away they arrive all the time.
        await new Promise<void>((resolve) => {
          this.interruptRetry = resolve;
          setTimeout(resolve, this.retryMs).unref();
        });
        this.interruptRetry = null;
      } finally {
        this.draining = false;
        this.updateGauge();
      }
    }
  }

  private async drainOnce(): Promise<void> {
    // Is the database back? Asked first, so a long outage does not seal a segment per attempt.
    await this.pool.query("SELECT 1");
    for (const segment of await this.spool.seal()) {
      const records = await this.spool.read(segment, (line) => log.warn({ segment: segment.path, line }, "skipping a torn spool line"));
      let done = this.progress.get(segment) ?? 0;
      while (done < records.length) {
        if (this.stopped) return;
        const chunk = records.slice(done, done + this.drainBatch);
        await this.replay(chunk);
        done += chunk.length;
        this.progress.set(segment, done);
        this.spool.consumed(segment, chunk.length);
        this.updateGauge();
      }
      await this.spool.remove(segment);
      this.progress.delete(segment);
      log.info({ segment: segment.path, records: records.length }, "spool segment replayed");
    }
  }

  /** Stores spooled records in their order: runs of videos as one statement, others one by one. */
  private async replay(records: SpoolRecord[]): Promise<void> {
    let run: { record: SpoolRecord; classified: Classified & { kind: "video" } }[] = [];
    const flushRun = async () => {
      if (run.length === 0) return;
      const items: VideoItem[] = run.map(({ record, classified }) => ({
        row: videoRow(classified.envelope, classified.raw, record.receivedAt),
        bodyBytes: record.body.length,
        spoolKey: record.key,
        body: keptVideoBody(record.body),
        contentType: record.contentType,
      }));
      try {
        await storeVideos(this.pool, items);
      } catch (err) {
        if (!isDataError(err)) throw err;
        for (const { record, classified } of run) await this.replayOne(record, classified);
      }
      run = [];
    };
    for (const record of records) {
      const classified = classify(record.body);
      if (classified.kind === "video") {
        run.push({ record, classified });
        continue;
      }
      await flushRun();
      await this.replayOne(record, classified);
    }
    await flushRun();
  }

  private async replayOne(record: SpoolRecord, classified: Classified): Promise<void> {
    await storeClassified(this.pool, classified, record.body, record.receivedAt, { spoolKey: record.key, answeredStatus: 200, contentType: record.contentType });
  }

  private updateGauge(): void {
    metrics.spoolDepth.set(this.spool.depth);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An error's one-line cause, for logs: never the delivery itself. */
export function errorSummary(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return errorSummary(err.errors[0]);
  const e = err as { code?: string; message?: string };
  const message = (e?.message ?? String(err)).split("\n")[0];
  return e?.code ? `${e.code}: ${message}` : message;
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
