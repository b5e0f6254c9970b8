// The spool's drain: once the database answers again, spooled deliveries are replayed in the
// order they arrived, runs of videos through the batcher's group write. Replays are idempotent
// (video identity, deliveries.spoolKey): a replay whose commit's answer was lost does nothing.
import type { Pool } from "pg";
import { errorSummary, log } from "../log";
import { storeGroup } from "./batcher";
import { classify, type Classified } from "./classify";
import { recordRefusedVideo, storeClassified, videoItem, type StoreOptions } from "./store";
import type { Segment, Spool, SpoolRecord } from "./spool";
import { isDataError } from "./video-store";

export type DrainOptions = {
  /** Pause between drain attempts while the database is unreachable. */
  retryMs?: number;
  /** Spooled records replayed per statement. */
  drainBatch?: number;
  /** Called whenever the spool's depth may have changed. */
  onDepth?: () => void;
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

  constructor(
    private readonly spool: Spool,
    private readonly pool: Pool,
    options: DrainOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 1000;
    this.drainBatch = options.drainBatch ?? 500;
    this.onDepth = options.onDepth ?? (() => {});
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
        this.onDepth();
      }
      await this.spool.remove(segment);
      this.progress.delete(segment);
      log.info({ segment: segment.path, records: records.length }, "spool segment replayed");
    }
  }

  /** Stores spooled records in their order: runs of videos as one group, others one by one. */
  private async replay(records: SpoolRecord[]): Promise<void> {
    let run: { record: SpoolRecord; classified: Classified & { kind: "video" } }[] = [];
    const flushRun = async () => {
      if (run.length === 0) return;
      const videos = run;
      run = [];
      const items = videos.map(({ record, classified }) => videoItem(classified, record.body, record.receivedAt, replayOptions(record)));
      await storeGroup(this.pool, items, async (i, result) => {
        if (result.ok) return;
        if (!isDataError(result.error)) throw result.error;
        const { record } = videos[i];
        await recordRefusedVideo(this.pool, result.error, record.body, record.receivedAt, replayOptions(record));
      });
    };
    for (const record of records) {
      const classified = classify(record.body);
      if (classified.kind === "video") {
        run.push({ record, classified });
        continue;
      }
      await flushRun();
      await storeClassified(this.pool, classified, record.body, record.receivedAt, replayOptions(record));
    }
    await flushRun();
  }
}

/** A spooled delivery was answered 200 before it was stored. */
function replayOptions(record: SpoolRecord): StoreOptions {
  return { spoolKey: record.key, answeredStatus: 200, contentType: record.contentType };
}
