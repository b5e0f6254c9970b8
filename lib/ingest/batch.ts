// Group commit: video rows that arrive within a millisecond or two are written by one
// multi-row statement, which inserts the new videos and records every delivery (stored or
// duplicate) in the same implicit transaction. Each caller's promise settles only after that
// statement has committed, so a 200 still means "this row is durable".
import type { Pool } from "pg";
import { PARTITION_BOUND_CHECK } from "../db/partition";
import { VIDEO_EVENT_CODE } from "./payload";
import { VIDEO_COLUMNS, type VideoRow } from "./receive";

export type VideoItem = {
  row: VideoRow;
  bodyBytes: number;
  /** Set when the delivery comes from the spool: a second replay of it records nothing. */
  spoolKey?: string | null;
  /** Set when the delivery is a replay of an earlier one (deliveries.id). */
  replayOf?: string | null;
  /** The body as received, kept in the deliveries row only while relaying (lib/forwarding needs the bytes). */
  body?: string | null;
  /** The provider's Content-Type header. */
  contentType?: string | null;
};

export type VideoOutcome = { outcome: "stored" | "duplicate"; videoId: string | null; deliveryId: string | null };

/** PostgreSQL array types for unnest(), column by column. */
const COLUMN_TYPES: Record<(typeof VIDEO_COLUMNS)[number], string> = {
  messageKey: "text", instanceId: "text", robotId: "text", serverId: "text", localId: "text",
  fromWxId: "text", fromNickName: "text", conversationId: "text", toWxId: "text",
  messageSource: "int", isPc: "int", messageType: "int", appInfo: "text", cdnType: "int",
  width: "int", height: "int", duration: "int", sendTime: "timestamptz", eventTime: "timestamptz",
  receivedAt: "timestamptz", description: "text", cdnFileName: "text", cdnSize: "bigint",
  cdnPreviewSize: "bigint", cdnPreviewWidth: "int", cdnPreviewHeight: "int", raw: "jsonb",
};

// Built on first use: receive.ts imports this module, and VIDEO_COLUMNS comes from there.
let storeVideosSql: string | undefined;

function buildStoreVideosSql(): string {
  const cols = VIDEO_COLUMNS.map((c) => `"${c}"`).join(", ");
  const extra = VIDEO_COLUMNS.length;
  // raw travels as text: a jsonb[] parameter would need each element re-quoted.
  const unnestArgs = [
    ...VIDEO_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c] === "jsonb" ? "text" : COLUMN_TYPES[c]}[]`),
    `$${extra + 1}::int[]`,
    `$${extra + 2}::text[]`,
    `$${extra + 3}::bigint[]`,
    `$${extra + 4}::text[]`,
    `$${extra + 5}::text[]`,
  ].join(", ");
  const selectCols = VIDEO_COLUMNS.map((c) =>
    c === "raw" ? `f."raw"::jsonb` : c === "sendTime" ? `k."sendTime"` : `f."${c}"`,
  ).join(", ");

  // One statement: the first copy of each identity in the batch is offered to video_events
  // (ON CONFLICT skips identities already stored, also by a concurrent writer); every input
  // becomes a deliveries row, "stored" for the copy that was inserted, "duplicate" otherwise.
  // Deliveries that carry a spoolKey already recorded by an earlier replay are skipped.
  // The unique key is (instanceId, messageKey, sendTime), so that video_events can be partitioned
  // by sendTime. A redelivery repeats its sendTime, except an envelope with no time at all, whose
  // sendTime is its arrival (eventTime null, sendTime = receivedAt): that one takes the stored
  // copy's sendTime, if there is one, so it is recognised as the duplicate it is.
  return `
WITH input AS (
  SELECT * FROM unnest(${unnestArgs}) WITH ORDINALITY
    AS t(${cols}, "bodyBytes", "spoolKey", "replayOf", "body", "contentType", ord)
), firsts AS (
  SELECT DISTINCT ON ("instanceId", "messageKey") * FROM input ORDER BY "instanceId", "messageKey", ord
), keyed AS (
  SELECT f.ord, f."instanceId", f."messageKey",
    CASE WHEN f."eventTime" IS NULL AND f."sendTime" = f."receivedAt"
      THEN coalesce((SELECT min(e."sendTime") FROM video_events e
                     WHERE e."instanceId" = f."instanceId" AND e."messageKey" = f."messageKey"), f."sendTime")
      ELSE f."sendTime" END AS "sendTime"
  FROM firsts f
), inserted AS (
  INSERT INTO video_events (${cols})
  SELECT ${selectCols} FROM firsts f JOIN keyed k USING (ord) ORDER BY ord
  ON CONFLICT ("instanceId", "messageKey", "sendTime") DO NOTHING
  RETURNING id, "instanceId", "messageKey"
), outcomes AS (
  SELECT i.ord, i."bodyBytes", i."receivedAt", i."spoolKey", i."replayOf", i."body", i."contentType", i."robotId", i."instanceId",
         CASE WHEN ins.id IS NOT NULL AND k.ord = i.ord THEN 'stored' ELSE 'duplicate' END::delivery_outcome AS outcome,
         coalesce(ins.id, ex.id) AS "videoEventId",
         nextval('deliveries_id_seq') AS "deliveryId"
  FROM input i
  JOIN keyed k ON k."instanceId" = i."instanceId" AND k."messageKey" = i."messageKey"
  LEFT JOIN inserted ins ON ins."instanceId" = i."instanceId" AND ins."messageKey" = i."messageKey"
  LEFT JOIN video_events ex
    ON ex."instanceId" = k."instanceId" AND ex."messageKey" = k."messageKey" AND ex."sendTime" = k."sendTime"
), recorded AS (
  INSERT INTO deliveries (id, "eventCode", outcome, "httpStatus", "bodyBytes", "receivedAt", "videoEventId", "spoolKey", "replayOf", body, "contentType", "robotId", "instanceId")
  SELECT "deliveryId", '${VIDEO_EVENT_CODE}', outcome, 200, "bodyBytes", "receivedAt", "videoEventId", "spoolKey", "replayOf", body, "contentType", "robotId", "instanceId"
  FROM outcomes ORDER BY ord
  ON CONFLICT ("spoolKey") DO NOTHING
  RETURNING id
)
SELECT o.outcome::text AS outcome, o."videoEventId"::text AS "videoId", r.id::text AS "deliveryId"
FROM outcomes o LEFT JOIN recorded r ON r.id = o."deliveryId"
ORDER BY o.ord`;
}

/**
 * Stores a group of video deliveries in one statement and returns their outcomes in input
 * order. Throws when the database cannot take the statement; see `isDataError` for which
 * errors are about the rows themselves.
 */
export async function storeVideos(db: Pool, items: VideoItem[]): Promise<VideoOutcome[]> {
  if (items.length === 0) return [];
  const values: unknown[][] = VIDEO_COLUMNS.map((c) => items.map((it) => it.row[c]));
  values.push(items.map((it) => it.bodyBytes));
  values.push(items.map((it) => it.spoolKey ?? null));
  values.push(items.map((it) => it.replayOf ?? null));
  values.push(items.map((it) => it.body ?? null));
  values.push(items.map((it) => it.contentType ?? null));
  const { rows } = await db.query<{ outcome: "stored" | "duplicate"; videoId: string | null; deliveryId: string | null }>({
    name: "store_videos",
    text: (storeVideosSql ??= buildStoreVideosSql()),
    values,
  });
  const outcomes = rows.map(({ outcome, videoId, deliveryId }) => ({ outcome, videoId, deliveryId }));
  // A copy whose identity was committed by a concurrent writer after this statement's snapshot
  // was taken is a duplicate, but the snapshot could not see the row to link it.
  const unlinked = outcomes.filter((o) => o.videoId === null && o.deliveryId !== null);
  if (unlinked.length > 0) {
    const linked = await db.query<{ id: string; videoEventId: string | null }>(
      `UPDATE deliveries d SET "videoEventId" = v.id
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, "instanceId", "messageKey")
       JOIN video_events v ON v."instanceId" = u."instanceId" AND v."messageKey" = u."messageKey"
       WHERE d.id = u.id RETURNING d.id::text, d."videoEventId"::text`,
      [
        unlinked.map((o) => o.deliveryId),
        unlinked.map((o) => items[outcomes.indexOf(o)].row.instanceId),
        unlinked.map((o) => items[outcomes.indexOf(o)].row.messageKey),
      ],
    );
    for (const r of linked.rows) {
      const o = unlinked.find((u) => u.deliveryId === r.id);
      if (o) o.videoId = r.videoEventId;
    }
  }
  return outcomes;
}

/**
 * True when PostgreSQL refused the data itself (a value out of range, a key too long to index):
 * retrying will not help, and the delivery is rejected. Anything else (no connection, server
 * shutting down, timeouts) is the database being unavailable.
 */
export function isDataError(err: unknown): boolean {
  const { code, constraint } = (err ?? {}) as { code?: unknown; constraint?: unknown };
  // The bound check a partition conversion adds for a while is no fault of the row: such a video
  // is spooled (answered 200) and replayed once the conversion is done or undone.
  if (constraint === PARTITION_BOUND_CHECK) return false;
  return typeof code === "string" && /^(22|23|54)/.test(code);
}

export type BatcherOptions = {
  /** How long the first row of a group waits for company. */
  windowMs?: number;
  /** A group is written at once when it reaches this many rows. */
  maxRows?: number;
  /** Statements in flight at once; more rows wait and join the next group. */
  maxInFlight?: number;
};

type Pending = { item: VideoItem; resolve: (o: VideoOutcome) => void; reject: (e: unknown) => void };

/**
 * Collects rows into groups and writes each group with `storeVideos`. When a group fails
 * because of one row's data, the rows are retried one by one so only that row fails.
 */
export class VideoBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly windowMs: number;
  private readonly maxRows: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly db: Pool,
    options: BatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 1;
    this.maxRows = options.maxRows ?? 200;
    this.maxInFlight = options.maxInFlight ?? 4;
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
    void this.write(group).finally(() => {
      this.inFlight--;
      if (this.pending.length > 0) this.flush();
    });
  }

  private async write(group: Pending[]): Promise<void> {
    try {
      const outcomes = await storeVideos(this.db, group.map((p) => p.item));
      group.forEach((p, i) => p.resolve(outcomes[i]));
    } catch (err) {
      if (!isDataError(err) || group.length === 1) {
        for (const p of group) p.reject(err);
        return;
      }
      for (const p of group) {
        try {
          p.resolve((await storeVideos(this.db, [p.item]))[0]);
        } catch (one) {
          p.reject(one);
        }
      }
    }
  }
}
