// Receiving one callback delivery: parse, validate, store, and record what became of it.
// Knows nothing of HTTP; app/api/callback/route.ts maps the outcome to a status.
import { createHash } from "node:crypto";
import type { Pool } from "pg";
import type { z } from "zod";
import {
  envelopeSchema,
  messageKeyOf,
  VIDEO_EVENT_CODE,
  videoEnvelopeSchema,
  type VideoEnvelope,
} from "./payload";
import { config } from "../config";
import { isDataError, storeVideos, type VideoItem, type VideoOutcome } from "./batch";

export type Issue = { path: string; message: string };

export type IngestResult =
  | { outcome: "stored" | "duplicate"; videoId: string | null }
  | { outcome: "other_event"; eventCode: string }
  | { outcome: "rejected"; error: string; issues: Issue[] };

/** Bodies kept in the deliveries log for a refused oversize delivery. */
export const OVERSIZE_PREFIX_BYTES = 4096;

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export function parseBody(body: Buffer): Parsed {
  const text = decode(body).trim();
  if (text === "") return { ok: false, error: "empty body: expected the provider's JSON envelope" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `body is not JSON: ${(err as Error).message.split("\n")[0]}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: `body is not a JSON object (got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value})` };
  }
  return { ok: true, value: withoutNul(value) };
}

/** What a delivery means, before anything is written. Pure: the schema tests use it. */
export type Classified =
  | { kind: "video"; envelope: VideoEnvelope; raw: unknown; eventCode: string }
  | { kind: "other_event"; eventCode: string; robot?: RobotIds }
  | { kind: "rejected"; eventCode: string | null; error: string; issues: Issue[]; robot?: RobotIds };

/** Which robot a delivery came from, when its envelope says (lib/robots counts it). */
export type RobotIds = { robotId: string | null; instanceId: string | null };

export function classify(body: Buffer): Classified {
  const parsed = parseBody(body);
  if (!parsed.ok) return { kind: "rejected", eventCode: null, error: parsed.error, issues: [] };
  const envelope = envelopeSchema.safeParse(parsed.value);
  if (!envelope.success) {
    const issues = toIssues(envelope.error);
    return { kind: "rejected", eventCode: null, error: `invalid envelope: ${summarise(issues)}`, issues };
  }
  const eventCode = envelope.data.event;
  const robot = robotIdsOf(envelope.data.data);
  if (eventCode !== VIDEO_EVENT_CODE) return { kind: "other_event", eventCode, robot };
  const video = videoEnvelopeSchema.safeParse(parsed.value);
  if (!video.success) {
    const issues = toIssues(video.error);
    return { kind: "rejected", eventCode, error: `invalid ${VIDEO_EVENT_CODE} payload: ${summarise(issues)}`, issues, robot };
  }
  return { kind: "video", envelope: video.data, raw: parsed.value, eventCode };
}

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
export async function receiveDelivery(db: Pool, body: Buffer, receivedAt = new Date(), options: StoreOptions = {}): Promise<IngestResult> {
  return storeClassified(db, classify(body), body, receivedAt, options);
}

/**
 * Records an already classified delivery. A row PostgreSQL refuses for its data (a number out
 * of range, a key too long to index) is recorded as rejected rather than thrown: retrying it
 * would fail forever.
 */
export async function storeClassified(
  db: Pool,
  classified: Classified,
  body: Buffer,
  receivedAt: Date,
  options: StoreOptions = {},
): Promise<IngestResult> {
  const common = { body: decode(body), bodyBytes: body.length, receivedAt, spoolKey: options.spoolKey, replayOf: options.replayOf, contentType: options.contentType };
  switch (classified.kind) {
    case "video": {
      const item: VideoItem = {
        row: videoRow(classified.envelope, classified.raw, receivedAt),
        bodyBytes: body.length,
        spoolKey: options.spoolKey,
        replayOf: options.replayOf,
        body: keptVideoBody(body, options.keepBody),
        contentType: options.contentType,
      };
      try {
        const stored = options.storeVideo ? await options.storeVideo(item) : (await storeVideos(db, [item]))[0];
        return { outcome: stored.outcome, videoId: stored.videoId };
      } catch (err) {
        if (!isDataError(err)) throw err;
        const error = `the database refused this ${VIDEO_EVENT_CODE} payload: ${(err as Error).message.split("\n")[0]}`;
        await recordDelivery(db, { ...common, eventCode: classified.eventCode, outcome: "rejected", httpStatus: options.answeredStatus ?? 400, error });
        return { outcome: "rejected", error, issues: [] };
      }
    }
    case "other_event": {
      await recordDelivery(db, { ...common, ...classified.robot, eventCode: classified.eventCode, outcome: "other_event", httpStatus: 200 });
      return { outcome: "other_event", eventCode: classified.eventCode };
    }
    case "rejected": {
      await recordDelivery(db, { ...common, ...classified.robot, eventCode: classified.eventCode, outcome: "rejected", httpStatus: 400, error: classified.error });
      return { outcome: "rejected", error: classified.error, issues: classified.issues };
    }
  }
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

/**
 * The video_events columns the receiver writes, in insert order. The CDN strings (cdnUrl,
 * cdnPreviewUrl, cdnAesKey, cdnAuthKey, cdnMd5) are left NULL: they are read from `raw`
 * (lib/shared/cdn-strings), so each is stored once.
 */
export const VIDEO_COLUMNS = [
  "messageKey", "instanceId", "robotId", "serverId", "localId", "fromWxId", "fromNickName",
  "conversationId", "toWxId", "messageSource", "isPc", "messageType", "appInfo", "cdnType",
  "width", "height", "duration", "sendTime", "eventTime", "receivedAt", "description",
  "cdnFileName", "cdnSize", "cdnPreviewSize", "cdnPreviewWidth", "cdnPreviewHeight", "raw",
] as const;

export type VideoRow = Record<(typeof VIDEO_COLUMNS)[number], unknown>;

/** How each column is read from a valid envelope; `raw` is the envelope exactly as received. */
export function videoRow(envelope: VideoEnvelope, raw: unknown, receivedAt: Date): VideoRow {
  const d = envelope.data;
  const cdn = d.cdnData;
  return {
    messageKey: messageKeyOf(d, () => createHash("sha256").update(JSON.stringify(d)).digest("hex")),
    instanceId: d.instanceId ?? "",
    robotId: d.robotId,
    serverId: d.serverId ?? null,
    localId: d.localId ?? null,
    fromWxId: d.fromWxId ?? "",
    fromNickName: d.fromNickName ?? null,
    conversationId: d.conversationId ?? "",
    toWxId: d.toWxId ?? null,
    messageSource: d.messageSource,
    isPc: d.isPc ?? null,
    messageType: d.messageType ?? null,
    appInfo: d.appInfo ?? null,
    cdnType: d.cdnType,
    width: d.width,
    height: d.height,
    duration: d.duration,
    sendTime: d.sendTime ?? envelope.time ?? receivedAt,
    eventTime: envelope.time ?? null,
    receivedAt,
    description: envelope.description ?? null,
    cdnFileName: cdn.file_name ?? null,
    cdnSize: cdn.size ?? null,
    cdnPreviewSize: cdn.preview_img_size ?? null,
    cdnPreviewWidth: cdn.width ?? null,
    cdnPreviewHeight: cdn.height ?? null,
    raw: JSON.stringify(raw),
  };
}

/** Every event carries data.robotId and data.instanceId; ids are kept as text, bounded in length. */
function robotIdsOf(data: unknown): RobotIds | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { robotId, instanceId } = data as Record<string, unknown>;
  const idText = (v: unknown) => ((typeof v === "string" && v !== "") || typeof v === "number" ? String(v).slice(0, 200) : null);
  const robot = idText(robotId);
  return robot === null ? undefined : { robotId: robot, instanceId: idText(instanceId) };
}

function decode(body: Buffer): string {
  return new TextDecoder("utf-8", { ignoreBOM: false }).decode(body);
}

function nulFree<T extends string | null>(text: T): T {
  return (text === null ? null : text.replaceAll("\0", "\uFFFD")) as T;
}

/** PostgreSQL text and jsonb cannot hold U+0000; keep everything else exactly. */
function withoutNul(value: unknown): unknown {
  if (typeof value === "string") return nulFree(value);
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k) as string, withoutNul(v)]));
  }
  return value;
}

function toIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

function summarise(issues: Issue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
  return issues.length > 5 ? `${shown}; and ${issues.length - 5} more` : shown;
}
