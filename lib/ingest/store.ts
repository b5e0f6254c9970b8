// Recording one classified delivery: a video through the group statement (or the batcher the
// caller passes), anything else as a deliveries row. Knows nothing of HTTP, of the spool or of
// the process's receiver (ingestor.ts).
import type { Pool } from "pg";
import { config } from "../config";
import { decode, nulFree } from "./body-text";
import { classify, type Classified } from "./classify";
import { rejected, type StoredOutcome, type VideoOutcome } from "./outcome";
import { VIDEO_EVENT_CODE } from "./payload";
import { videoRow } from "./video-row";
import { isDataError, storeVideos, type VideoItem } from "./video-store";

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
export async function receiveDelivery(db: Pool, body: Buffer, receivedAt = new Date(), options: StoreOptions = {}): Promise<StoredOutcome> {
  return storeClassified(db, classify(body), body, receivedAt, options);
}

/**
 * Records an already classified delivery. A row PostgreSQL refuses for its data (a number out
 * of range, a key too long to index) is recorded as rejected rather than thrown: retrying it
 * would fail forever.
 */
export async function storeClassified(db: Pool, classified: Classified, body: Buffer, receivedAt: Date, options: StoreOptions = {}): Promise<StoredOutcome> {
  switch (classified.kind) {
    case "video": {
      const item = videoItem(classified, body, receivedAt, options);
      try {
        return await (options.storeVideo ? options.storeVideo(item) : storeVideos(db, [item]).then((stored) => stored[0]));
      } catch (err) {
        if (!isDataError(err)) throw err;
        return recordRefusedVideo(db, err, body, receivedAt, options);
      }
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

/** Records a video whose values PostgreSQL refused (`err`, a data error) as a rejected delivery. */
export async function recordRefusedVideo(db: Pool, err: unknown, body: Buffer, receivedAt: Date, options: StoreOptions = {}): Promise<StoredOutcome> {
  const error = `the database refused this ${VIDEO_EVENT_CODE} payload: ${(err as Error).message.split("\n")[0]}`;
  await recordDelivery(db, { ...common(body, receivedAt, options), eventCode: VIDEO_EVENT_CODE, outcome: "rejected", httpStatus: options.answeredStatus ?? 400, error });
  return rejected(VIDEO_EVENT_CODE, error);
}

/** A video delivery's body for its deliveries row: kept only while relaying, which forwards the bytes received. */
export function keptVideoBody(body: Buffer, keep = config().FORWARD_URLS.length > 0): string | null {
  return keep ? nulFree(decode(body)) : null;
}

/** Records a delivery refused before it was read whole (over the size limit). */
export async function recordOversizeDelivery(db: Pool, prefix: Buffer, bodyBytes: number, limit: number): Promise<void> {
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
  outcome: "other_event" | "rejected";
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

async function recordDelivery(db: Pool, row: DeliveryRow): Promise<void> {
  await db.query({
    name: "record_delivery",
    text: `INSERT INTO deliveries ("eventCode", outcome, "httpStatus", error, body, "bodyBytes", "receivedAt", "spoolKey", "replayOf", "contentType", "robotId", "instanceId")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT ("spoolKey") DO NOTHING`,
    values: [
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
    ],
  });
}
