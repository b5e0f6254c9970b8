// Group commit: video rows that arrive within a millisecond or two are written by one statement
// (video-store.ts). Each caller's promise settles only after that statement has committed, so a
// 200 still means "this row is durable".
import type { DbTx } from "../db/client";
import { deliveryFailure } from "../db/errors";
import type { VideoOutcome } from "./outcome";
import { storeVideos, type VideoItem } from "./video-store";

export type Settled = { ok: true; outcome: VideoOutcome } | { ok: false; error: unknown };

/**
 * Writes a group in one statement. When the group fails for anything but the database or the
 * connection (one row's data, a value that cannot be prepared, an error not understood), the rows
 * are written one by one, so the good ones are stored and only the failing one fails. Each row's
 * result is handed to `settle` in input order, as soon as it is known; an error thrown by `settle`
 * stops the group there.
 */
export async function storeGroup(db: DbTx, items: VideoItem[], settle: (index: number, result: Settled) => void | Promise<void>): Promise<void> {
  let outcomes: VideoOutcome[];
  try {
    outcomes = await storeVideos(db, items);
  } catch (err) {
    if (deliveryFailure(err) === "retry" || items.length === 1) {
      for (let i = 0; i < items.length; i++) await settle(i, { ok: false, error: err });
      return;
    }
    for (let i = 0; i < items.length; i++) {
      let result: Settled;
      try {
        result = { ok: true, outcome: (await storeVideos(db, [items[i]]))[0] };
      } catch (one) {
        result = { ok: false, error: one };
      }
      await settle(i, result);
    }
    return;
  }
  for (let i = 0; i < items.length; i++) await settle(i, { ok: true, outcome: outcomes[i] });
}

export type BatcherOptions = {
  /** How long the first row of a group waits for company. */
  windowMs?: number;
  /** A group is written at once when it reaches this many rows. */
  maxRows?: number;
  /**
   * Statements in flight at once; more rows wait and join the next group. Two: every group
   * updates the same summary rows (the hour's count, the robot's), so a third statement mostly
   * waits for their locks while holding a connection; one alone leaves the database idle while
   * Node prepares the next group. Measured at 50 connections, interleaved: 2 gave the highest
   * throughput and the lowest p99 of 1, 2 and 4 (docs/performance.md, "The callback before Next").
   */
  maxInFlight?: number;
};

type Pending = { item: VideoItem; resolve: (o: VideoOutcome) => void; reject: (e: unknown) => void };

/** Collects rows into groups and writes each group with `storeGroup`. */
export class VideoBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly windowMs: number;
  private readonly maxRows: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly db: DbTx,
    options: BatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 1;
    this.maxRows = options.maxRows ?? 200;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  store(item: VideoItem): Promise<VideoOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxRows) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // While the pool is busy, rows keep gathering: the next group is bigger, not later.
    if (this.inFlight >= this.maxInFlight || this.pending.length === 0) return;
    const group = this.pending.splice(0, this.maxRows);
    this.inFlight++;
    void storeGroup(
      this.db,
      group.map((p) => p.item),
      (i, result) => (result.ok ? group[i].resolve(result.outcome) : group[i].reject(result.error)),
    ).finally(() => {
      this.inFlight--;
      if (this.pending.length > 0) this.flush();
    });
  }
}
