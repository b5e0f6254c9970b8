// The shape of a video in every answer: the payload's own field names, plus id and ISO times.
import type { Prisma } from "../db/client";
import { directionOf } from "../ingest/payload";
import { cdnStringOf } from "../shared/cdn-strings";

export type ConversationKind = "group" | "private" | "other";

/** Group chats are `R:...` (or end in @chatroom); private ones `S:...`. */
export function conversationKind(conversationId: string): ConversationKind {
  if (conversationId.startsWith("R:") || conversationId.endsWith("@chatroom")) return "group";
  if (conversationId.startsWith("S:")) return "private";
  return "other";
}

/** Columns selected for list items (raw SQL: lists, live updates); a detail is read with the model API. */
export const ITEM_COLUMNS = `id::text AS id, "instanceId", "robotId", "serverId", "localId", "fromWxId", "fromNickName",
  "conversationId", "toWxId", "messageSource", "isPc", "messageType", "appInfo", "cdnType", width, height, duration,
  "cdnSize"::float8 AS "cdnSize", "sendTime", "receivedAt"`;

/** What a detail reads of video_events (`db.videoEvent.findUnique({ select })`). */
export const DETAIL_SELECT = {
  id: true, instanceId: true, robotId: true, serverId: true, localId: true, fromWxId: true, fromNickName: true,
  conversationId: true, toWxId: true, messageSource: true, isPc: true, messageType: true, appInfo: true, cdnType: true,
  width: true, height: true, duration: true, cdnSize: true, sendTime: true, receivedAt: true, eventTime: true,
  description: true, cdnUrl: true, cdnFileName: true, cdnMd5: true, cdnAesKey: true, cdnAuthKey: true, cdnPreviewUrl: true,
  cdnPreviewSize: true, cdnPreviewWidth: true, cdnPreviewHeight: true, raw: true,
} satisfies Prisma.VideoEventSelect;

export type DetailModel = Prisma.VideoEventGetPayload<{ select: typeof DETAIL_SELECT }>;

export type ItemRow = {
  id: string;
  instanceId: string;
  robotId: string;
  serverId: string | null;
  localId: string | null;
  fromWxId: string;
  fromNickName: string | null;
  conversationId: string;
  toWxId: string | null;
  messageSource: number;
  isPc: number | null;
  messageType: number | null;
  appInfo: string | null;
  cdnType: number;
  width: number;
  height: number;
  duration: number;
  cdnSize: number | null;
  sendTime: Date;
  receivedAt: Date;
};

export type DetailRow = ItemRow & {
  eventTime: Date | null;
  description: string | null;
  cdnUrl: string;
  cdnFileName: string | null;
  cdnMd5: string | null;
  cdnAesKey: string | null;
  cdnAuthKey: string | null;
  cdnPreviewUrl: string | null;
  cdnPreviewSize: number | null;
  cdnPreviewWidth: number | null;
  cdnPreviewHeight: number | null;
  raw: unknown;
};

/**
 * The model's row as a DetailRow: ids as text, sizes as numbers (bigint in the model), and each
 * CDN string from its column or, for rows stored since they moved there, from the envelope.
 */
export function detailRowOf(m: DetailModel): DetailRow {
  const cdn = (column: Parameters<typeof cdnStringOf>[2]) => cdnStringOf(m[column], m.raw, column);
  return {
    ...m,
    id: m.id.toString(),
    cdnSize: m.cdnSize === null ? null : Number(m.cdnSize),
    cdnPreviewSize: m.cdnPreviewSize === null ? null : Number(m.cdnPreviewSize),
    // Never null for a stored video: `url` is required of every payload that becomes one.
    cdnUrl: cdn("cdnUrl") ?? "",
    cdnMd5: cdn("cdnMd5"),
    cdnAesKey: cdn("cdnAesKey"),
    cdnAuthKey: cdn("cdnAuthKey"),
    cdnPreviewUrl: cdn("cdnPreviewUrl"),
  };
}

export function toItem(row: ItemRow) {
  return {
    id: row.id,
    instanceId: row.instanceId,
    robotId: row.robotId,
    serverId: row.serverId,
    localId: row.localId,
    fromWxId: row.fromWxId,
    fromNickName: row.fromNickName,
    conversationId: row.conversationId,
    conversationKind: conversationKind(row.conversationId),
    toWxId: row.toWxId,
    messageSource: row.messageSource,
    direction: directionOf(row.messageSource),
    isPc: row.isPc,
    messageType: row.messageType,
    appInfo: row.appInfo,
    cdnType: row.cdnType,
    width: row.width,
    height: row.height,
    duration: row.duration,
    size: row.cdnSize,
    sendTime: row.sendTime.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
  };
}

/** A video as every read answers it (lists, live updates); ingest writes a different shape, its row. */
export type VideoListItem = ReturnType<typeof toItem>;

export const SECRET_KEYS = ["aes_key", "auth_key"] as const;
const REDACTED = "[redacted]";

export function toDetail(row: DetailRow, { includeSecrets = false } = {}) {
  return {
    ...toItem(row),
    eventTime: row.eventTime?.toISOString() ?? null,
    description: row.description,
    cdnData: {
      cdnType: row.cdnType,
      file_name: row.cdnFileName,
      size: row.cdnSize,
      md5: row.cdnMd5,
      url: row.cdnUrl,
      preview_img_url: row.cdnPreviewUrl,
      preview_img_size: row.cdnPreviewSize,
      width: row.cdnPreviewWidth,
      height: row.cdnPreviewHeight,
      aes_key: includeSecrets ? row.cdnAesKey : row.cdnAesKey && REDACTED,
      auth_key: includeSecrets ? row.cdnAuthKey : row.cdnAuthKey && REDACTED,
    },
    raw: includeSecrets ? row.raw : redactSecrets(row.raw),
  };
}

export type VideoDetail = ReturnType<typeof toDetail>;

/** A copy of `value` with every aes_key/auth_key replaced, however deep. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, (SECRET_KEYS as readonly string[]).includes(k) && v ? REDACTED : redactSecrets(v)]),
    );
  }
  return value;
}
