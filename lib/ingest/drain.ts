// The spool's drain: once the database answers again, spooled deliveries are replayed in the
// order they arrived, runs of videos through the batcher's group write. Replays are idempotent
// (video identity, deliveries.spoolKey): a replay whose commit's answer was lost does nothing.
import { join } from "node:path";
import type { Db } from "../db/client";
import { deliveryFailure, errorLine, sqlState } from "../db/errors";
import { errorSummary, log } from "../log";
import { metrics } from "../metrics/registry";
import { storeGroup } from "./batcher";
import { classify } from "./classify";
import { writeDeadLetter } from "./dead-letter";
import { recordQuarantined, recordRefused, storeClassified, videoItem, type StoreOptions } from "./store";
import type { Segment, Spool, SpoolRecord } from "./spool";
import type { VideoItem } from "./video-store";

export type DrainOptions = {
  /** Pause between drain attempts while the database is unreachable. */
  retryMs?: number;
  /** Spooled records replayed per statement. */
  drainBatch?: number;
  /** Called whenever the spool's depth may have changed. */
  onDepth?: () => void;
  /** Where dead-letter files go (dead-letter.ts): DATA_DIR, by default the spool's grandparent. */
  dataDir?: string;
};

export class SpoolDrain {
  private stopped = false;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  /** Wakes the idle drain (a delivery was spooled). */
  private wakeIdle: (() => void) | null = null;
  /** Ends a drain's pause between failed attempts early (shutdown only). */
  private interruptRetry: (() => void) | null = null;
  private lastError: string | null = null;
  /** Records of a segment already committed in this process (a failed drain resumes there). */
  private readonly progress = new Map<Segment, number>();
  private readonly retryMs: number;
  private readonly drainBatch: number;
  private readonly onDepth: () => void;
  private readonly dataDir: string;
  /**
   * The record whose failure, not understood, stopped the last attempt, and how it failed: the
   * same record failing the same way again is set aside. Only one: the drain stops at the first.
   */
  private lastFailure: { key: string; way: string; count: number } | null = null;

  constructor(
    private readonly spool: Spool,
    private readonly db: Db,
    options: DrainOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 1000;
    this.drainBatch = options.drainBatch ?? 500;
    this.onDepth = options.onDepth ?? (() => {});
    this.dataDir = options.dataDir ?? join(spool.dir, "..", "..");
  }

  start(): void {
    this.loop = this.run();
  }

  /** A delivery was spooled: replay it as soon as the database answers. */
  wake(): void {
    this.wakeIdle?.();
  }

  /** Stops the drain; a replay in progress finishes its statement. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeIdle?.();
    this.interruptRetry?.();
    await this.loop;
  }

  status(): { draining: boolean; lastDrainError: string | null } {
    return { draining: this.running, lastDrainError: this.lastError };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // Another process on this DATA_DIR may have died with deliveries in its spool.
      if (this.spool.depth === 0) await this.spool.adoptOrphans().catch((err) => log.warn({ err: errorSummary(err) }, "could not adopt a dead process's spool"));
      if (this.spool.depth === 0) {
        await new Promise<void>((resolve) => {
          this.wakeIdle = resolve;
          setTimeout(resolve, 1000).unref();
        });
        this.wakeIdle = null;
        continue;
      }
      this.running = true;
      try {
        await this.drainOnce();
        this.lastError = null;
      } catch (err) {
        if (this.lastError === null) log.warn({ err: errorSummary(err), spoolDepth: this.spool.depth }, "spool drain paused: database unavailable");
        this.lastError = errorSummary(err);
        // Not woken by new deliveries: while the database is away they arrive all the time.
        await new Promise<void>((resolve) => {
          this.interruptRetry = resolve;
          setTimeout(resolve, this.retryMs).unref();
        });
        this.interruptRetry = null;
      } finally {
        this.running = false;
        this.onDepth();
      }
    }
  }

  private async drainOnce(): Promise<void> {
    // Is the database back? Asked first, so a long outage does not seal a segment per attempt.
    await this.db.$queryRaw`SELECT 1`;
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
        this.onDepth();
      }
      await this.spool.remove(segment);
      this.progress.delete(segment);
      log.info({ segment: segment.path, records: records.length }, "spool segment replayed");
    }
  }

  /**
   * Stores spooled records in their order: runs of videos as one group, others one by one. A
   * record that fails for its own content is recorded as refused and the drain goes on; only a
   * failure of the database (or one not understood) stops it, to be retried after a pause.
   */
  private async replay(records: SpoolRecord[]): Promise<void> {
    let run: { record: SpoolRecord; eventCode: string; item: VideoItem }[] = [];
    const flushRun = async () => {
      if (run.length === 0) return;
      const videos = run;
      run = [];
      await storeGroup(
        this.db,
        videos.map((v) => v.item),
        async (i, result) => {
          if (!result.ok) await this.failed(videos[i].record, videos[i].eventCode, result.error);
        },
      );
    };
    for (const record of records) {
      const classified = classify(record.body);
      if (classified.kind === "video") {
        let item: VideoItem;
        try {
          item = videoItem(classified, record.body, record.receivedAt, replayOptions(record));
        } catch (err) {
          await flushRun();
          await this.failed(record, classified.eventCode, err);
          continue;
        }
        run.push({ record, eventCode: classified.eventCode, item });
        continue;
      }
      await flushRun();
      // An own failure is recorded as refused by storeClassified itself.
      await storeClassified(this.db, classified, record.body, record.receivedAt, replayOptions(record)).catch((err) => this.failed(record, classified.eventCode, err));
    }
    await flushRun();
  }

  /**
   * A record that could not be stored. Its own failure: recorded as refused. The database's:
   * thrown, to be retried after a pause. Neither: thrown the first time; failing the same way
   * again, it is set aside (quarantined), and so is a refused record whose refusal cannot be
   * recorded, so that the drain never blocks on one record.
   */
  private async failed(record: SpoolRecord, eventCode: string | null, err: unknown): Promise<void> {
    const kind = deliveryFailure(err);
    if (kind === "retry") throw err;
    if (kind === "own") {
      try {
        await recordRefused(this.db, err, eventCode, record.body, record.receivedAt, replayOptions(record));
        return;
      } catch (refusal) {
        if (deliveryFailure(refusal) === "retry") throw refusal;
        return this.setAside(record, eventCode, `refused (${errorLine(err)}), and its refusal could not be recorded: ${errorLine(refusal)}`);
      }
    }
    const way = failureWay(err);
    const last = this.lastFailure?.key === record.key ? this.lastFailure : null;
    // Three failures of one record, even in different ways, are enough too: nothing waits forever.
    if (last?.way !== way && (last?.count ?? 0) < MAX_FAILURES - 1) {
      this.lastFailure = { key: record.key, way, count: (last?.count ?? 0) + 1 };
      throw err;
    }
    await this.setAside(record, eventCode, `failed ${last?.way === way ? "twice the same way" : `${MAX_FAILURES} times`}: ${errorLine(err)}`);
  }

  /** Quarantines a record: a deliveries row with its body and the error, or a dead-letter file when even that row fails. */
  private async setAside(record: SpoolRecord, eventCode: string | null, error: string): Promise<void> {
    this.lastFailure = null;
    try {
      await recordQuarantined(this.db, `set aside by the spool's drain: ${error}`, eventCode, record.body, record.receivedAt, replayOptions(record));
      metrics.quarantined.inc({ to: "deliveries" });
      log.warn({ spoolKey: record.key, eventCode, error }, "spooled delivery quarantined: replay it from /deliveries once the cause is fixed");
    } catch (row) {
      if (deliveryFailure(row) === "retry") throw row;
      const path = await writeDeadLetter(this.dataDir, record, `${error}; its quarantine row: ${errorLine(row)}`);
      metrics.quarantined.inc({ to: "dead_letter" });
      log.error({ spoolKey: record.key, eventCode, error, row: errorLine(row), path }, "spooled delivery written to a dead-letter file: npm run quarantine -- replay once the cause is fixed");
    }
  }
}

/** Failures (not understood) of one record after which it is set aside, whatever they were. */
const MAX_FAILURES = 3;

/** What tells one failure from another: PostgreSQL's SQLSTATE, or the error's class (messages may carry values that change). */
function failureWay(err: unknown): string {
  return sqlState(err) ?? (err instanceof Error ? err.name : typeof err);
}

/** A spooled delivery was answered 200 before it was stored. */
function replayOptions(record: SpoolRecord): StoreOptions {
  return { spoolKey: record.key, answeredStatus: 200, contentType: record.contentType };
}
