// The provider's callback payload: the one source of truth. The TypeScript types, the columns
// of video_events (prisma/schema.prisma) and the export columns follow these names.
// Unknown fields are kept (looseObject): providers add fields, and the raw envelope is stored.
import { z } from "zod";

/** Integers sometimes arrive as numeric strings; anything else of the wrong type is refused. */
const int = z.preprocess(
  (v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ error: (i) => (i.input === undefined ? "required" : "expected an integer") }).int("expected an integer"),
);

/** Message ids are 64-bit numbers: keep them as text so no digit is lost. */
const id = z.union([z.string(), z.number().int()]).transform(String);

/** Documented as milliseconds; a value below 10^12 is seconds (some deployments send those). */
const timestamp = int.pipe(z.number().nonnegative()).transform((n) => new Date(n < 1e12 ? n * 1000 : n));

const text = z.string({ error: (i) => (i.input === undefined ? "required" : "expected a string") });

export const cdnDataSchema = z.looseObject({
  url: text.min(1, "must not be empty"),
  aes_key: text.nullish(),
  auth_key: text.nullish(),
  file_name: text.nullish(),
  md5: text.nullish(),
  size: int.nullish(),
  preview_img_url: text.nullish(),
  preview_img_size: int.nullish(),
  width: int.nullish(),
  height: int.nullish(),
  cdnType: int.nullish(),
});

export const videoDataSchema = z.looseObject({
  instanceId: text.nullish(),
  robotId: z.union([z.string(), z.number()], { error: (i) => (i.input === undefined ? "required" : "expected a string") }).transform(String),
  sendTime: timestamp.nullish(),
  localId: id.nullish(),
  serverId: id.nullish(),
  appInfo: text.nullish(),
  messageType: int.nullish(),
  cdnData: z.looseObject({}, { error: (i) => (i.input === undefined ? "required" : "expected an object") }).pipe(cdnDataSchema),
  /** 2: c2c CDN, 3: big CDN. */
  cdnType: int,
  height: int,
  width: int,
  /** Seconds. */
  duration: int.pipe(z.number().nonnegative()),
  /** 1: sent by the robot itself. */
  messageSource: int,
  conversationId: text.nullish(),
  fromWxId: text.nullish(),
  toWxId: text.nullish(),
  fromNickName: text.nullish(),
  isPc: int.nullish(),
});

/** Every event shares this envelope; only `data` differs by event code. */
export const envelopeSchema = z.looseObject({
  event: z.union([z.string(), z.number()], { error: "required: the event code" }).transform((v) => String(v).trim()),
  description: text.nullish(),
  time: timestamp.nullish(),
  data: z.unknown(),
});

export const videoEnvelopeSchema = envelopeSchema.extend({ data: videoDataSchema });

export const VIDEO_EVENT_CODE = "20004";

export type Envelope = z.infer<typeof envelopeSchema>;
export type VideoEnvelope = z.infer<typeof videoEnvelopeSchema>;
export type VideoData = z.infer<typeof videoDataSchema>;
export type Direction = "in" | "out";

export function directionOf(messageSource: number): Direction {
  return messageSource === 1 ? "out" : "in";
}

/**
 * A message's identity within its instance: serverId, falling back to localId when serverId is
 * empty or "0", and to a digest of the data when the provider sent neither.
 */
export function messageKeyOf(data: VideoData, digest: () => string): string {
  const serverId = data.serverId?.trim();
  if (serverId && serverId !== "0") return serverId;
  const localId = data.localId?.trim();
  if (localId && localId !== "0") return `local:${localId}`;
  return `sha256:${digest()}`;
}
