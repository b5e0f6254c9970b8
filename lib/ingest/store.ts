// Recording one classified delivery: a video through the group statement (or the batcher the
// caller passes), anything else as a deliveries row. Knows nothing of HTTP, of the spool or of
// the process's receiver (ingestor.ts).
import { config } from "../config";
import type { DbTx } from "../db/client";
import { deliveryFailure, errorLine, sqlState } from "../db/errors";
import { decode, nulFree } from "./body-text";
import { classify, type Classified } from "./classify";
import { rejected, type StoredOutcome, type VideoOutcome } from "./outcome";
import { VIDEO_EVENT_CODE } from "./payload";
import { videoRow } from "./video-row";
import { storeVideos, type VideoItem } from "./video-store";

/** Bodies kept in the deliveries log for a refused oversize delivery. */
export const OVERSIZE_PREFIX_BYTES = 4096;

export type StoreOptions = {
  /** The spool record this delivery comes from: recording it a second time does nothing. */
  spoolKey?: string | null;
  /** The delivery this one replays. */
  replayOf?: string | null;
  /** The status the sender was already given (a spooled delivery was answered before it was stored). */
  answeredStatus?: number;
  /** The provider's Content-Type header (forwarded as it came). */
  contentType?: string | null;
  /** Keep a video delivery's body in its deliveries row too: the relay forwards the bytes received. */
  keepBody?: boolean;
  /** Where video rows go: the process's group-commit batcher, or one statement of their own. */
  storeVideo?: (item: VideoItem) => Promise<VideoOutcome>;
};

/** Receives one delivery and records it. Throws only when the database cannot be written. */
export async function receiveDelivery(db: DbTx, body: Buffer, receivedAt = new Date(), options: StoreOptions = {}): Promise<StoredOutcome> {
  return storeClassified(db, classify(body), body, receivedAt, options);
}

/**
 * Records an already classified delivery. One that fails for its own content (a value PostgreSQL
 * refuses, a key too long to index, a stack overflow preparing it; see `deliveryFailure`) is
 * recorded as rejected rather than thrown: retrying it would fail forever. Throws only what waiting
 * may cure (the database away) or what is not understood: the caller spools it.
 */
export async function storeClassified(db: DbTx, classified: Classified, body: Buffer, receivedAt: Date, options: StoreOptions = {}): Promise<StoredOutcome> {
  try {
    return await record(db, classified, body, receivedAt, options);
  } catch (err) {
    if (deliveryFailure(err) !== "own") throw err;
    return recordRefused(db, err, classified.eventCode, body, receivedAt, options);
  }
}

async function record(db: DbTx, classified: Classified, body: Buffer, receivedAt: Date, options: StoreOptions): Promise<StoredOutcome> {
  switch (classified.kind) {
    case "video": {
      const item = videoItem(classified, body, receivedAt, options);
      return options.storeVideo ? options.storeVideo(item) : (await storeVideos(db, [item]))[0];
    }
    case "other_event": {
      await recordDelivery(db, { ...common(body, receivedAt, options), ...classified.robot, eventCode: classified.eventCode, outcome: "other_event", httpStatus: 200 });
      return { status: 200, outcome: "other_event", eventCode: classified.eventCode };
    }
    case "rejected": {
      await recordDelivery(db, { ...common(body, receivedAt, options), ...classified.robot, eventCode: classified.eventCode, outcome: "rejected", httpStatus: 400, error: classified.error });
      return rejected(classified.eventCode, classified.error, classified.issues);
    }
  }
}

/** The group statement's input for one video delivery. */
export function videoItem(classified: Classified & { kind: "video" }, body: Buffer, receivedAt: Date, options: StoreOptions = {}): VideoItem {
  return {
    row: videoRow(classified.envelope, classified.raw, receivedAt),
    bodyBytes: body.length,
    spoolKey: options.spoolKey,
    replayOf: options.replayOf,
    body: keptVideoBody(body, options.keepBody),
    contentType: options.contentType,
  };
}

/**
 * Records a delivery that failed for its own content (`err`) as rejected, answered 400 (or what it
 * was answered when spooled). The row holds only what cannot fail for it: the event code (already
 * of its checked shape), the body as text, the error; no robot ids.
 */
export async function recordRefused(db: DbTx, err: unknown, eventCode: string | null, body: Buffer, receivedAt: Date, options: StoreOptions = {}): Promise<StoredOutcome> {
  const error = refusal(err, eventCode);
  await recordDelivery(db, { ...common(body, receivedAt, options), eventCode, outcome: "rejected", httpStatus: options.answeredStatus ?? 400, error });
  return rejected(eventCode, error);
}

/**
 * Records a spooled delivery that the drain sets aside (drain.ts) as quarantined, with the error
 * and its body, for a replay from /deliveries once the cause is fixed. Like a refusal, the row
 * holds only what cannot fail for it. Throws when even this row cannot be written.
 */
export async function recordQuarantined(db: DbTx, error: string, eventCode: string | null, body: Buffer, receivedAt: Date, options: StoreOptions): Promise<void> {
  await recordDelivery(db, { ...common(body, receivedAt, options), eventCode, outcome: "quarantined", httpStatus: options.answeredStatus ?? 200, error });
}

function refusal(err: unknown, eventCode: string | null): string {
  const what = eventCode === VIDEO_EVENT_CODE ? `this ${VIDEO_EVENT_CODE} payload` : "this delivery";
  // A PostgreSQL error has a SQLSTATE (pg's own, or inside Prisma's); anything else was thrown while preparing the values.
  if (sqlState(err) !== undefined) return `the database refused ${what}: ${errorLine(err)}`;
  return `${what} could not be prepared for the database: ${String(err).split("\n")[0]}`;
}

/** A video delivery's body for its deliveries row: kept only while relaying, which forwards the bytes received. */
export function keptVideoBody(body: Buffer, keep = config().FORWARD_URLS.length > 0): string | null {
  return keep ? nulFree(decode(body)) : null;
}

/** Records a delivery refused before it was read whole (over the size limit). */
export async function recordOversizeDelivery(db: DbTx, prefix: Buffer, bodyBytes: number, limit: number): Promise<void> {
  await recordDelivery(db, {
    eventCode: null,
    outcome: "rejected",
    httpStatus: 413,
    error: `body of ${bodyBytes} bytes is over the limit of ${limit} (CALLBACK_MAX_BYTES)`,
    body: decode(prefix.subarray(0, OVERSIZE_PREFIX_BYTES)),
    bodyBytes,
    receivedAt: new Date(),
  });
}

type DeliveryRow = {
  eventCode: string | null;
  outcome: "other_event" | "rejected" | "quarantined";
  httpStatus: number;
  error?: string;
  body: string;
  bodyBytes: number;
  receivedAt: Date;
  spoolKey?: string | null;
  replayOf?: string | null;
  contentType?: string | null;
  robotId?: string | null;
  instanceId?: string | null;
};

function common(body: Buffer, receivedAt: Date, options: StoreOptions) {
  return { body: decode(body), bodyBytes: body.length, receivedAt, spoolKey: options.spoolKey, replayOf: options.replayOf, contentType: options.contentType };
}

/**
 * One deliveries row. Raw SQL, not the model API: ON CONFLICT ("spoolKey") DO NOTHING makes a
 * second replay of a spooled delivery a no-op, which `create` cannot say.
 */
export const RECORD_DELIVERY_SQL = `INSERT INTO deliveries ("eventCode", outcome, "httpStatus", error, body, "bodyBytes", "receivedAt", "spoolKey", "replayOf", "contentType", "robotId", "instanceId")
  VALUES ($1, $2::delivery_outcome, $3, $4, $5, $6, $7::timestamptz, $8, $9::bigint, $10, $11, $12)
  ON CONFLICT ("spoolKey") DO NOTHING`;

async function recordDelivery(db: DbTx, row: DeliveryRow): Promise<void> {
  await db.$executeRawUnsafe(
    RECORD_DELIVERY_SQL,
    nulFree(row.eventCode),
    row.outcome,
    row.httpStatus,
    nulFree(row.error ?? null),
    nulFree(row.body),
    row.bodyBytes,
    row.receivedAt,
    row.spoolKey ?? null,
    row.replayOf ?? null,
    row.contentType ?? null,
    row.robotId ?? null,
    row.instanceId ?? null,
  );
}
