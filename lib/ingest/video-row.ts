// The video_events row a valid 20004 envelope becomes: its columns, their PostgreSQL types, and
// how each is read from the payload.
import { createHash } from "node:crypto";
import { messageKeyOf, type VideoEnvelope } from "./payload";

/** The video_events columns the receiver writes, in insert order, with their PostgreSQL types. */
export const VIDEO_COLUMN_TYPES = {
  messageKey: "text", instanceId: "text", robotId: "text", serverId: "text", localId: "text",
  fromWxId: "text", fromNickName: "text", conversationId: "text", toWxId: "text",
  messageSource: "int", isPc: "int", messageType: "int", appInfo: "text", cdnType: "int",
  width: "int", height: "int", duration: "int", sendTime: "timestamptz", eventTime: "timestamptz",
  receivedAt: "timestamptz", description: "text", cdnUrl: "text", cdnFileName: "text",
  cdnSize: "bigint", cdnMd5: "text", cdnAesKey: "text", cdnAuthKey: "text", cdnPreviewUrl: "text",
  cdnPreviewSize: "bigint", cdnPreviewWidth: "int", cdnPreviewHeight: "int", raw: "jsonb",
} as const;

export const VIDEO_COLUMNS = Object.keys(VIDEO_COLUMN_TYPES) as (keyof typeof VIDEO_COLUMN_TYPES)[];

export type VideoRow = Record<keyof typeof VIDEO_COLUMN_TYPES, unknown>;

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
    cdnUrl: cdn.url,
    cdnFileName: cdn.file_name ?? null,
    cdnSize: cdn.size ?? null,
    cdnMd5: cdn.md5 ?? null,
    cdnAesKey: cdn.aes_key ?? null,
    cdnAuthKey: cdn.auth_key ?? null,
    cdnPreviewUrl: cdn.preview_img_url ?? null,
    cdnPreviewSize: cdn.preview_img_size ?? null,
    cdnPreviewWidth: cdn.width ?? null,
    cdnPreviewHeight: cdn.height ?? null,
    raw: JSON.stringify(raw),
  };
}
