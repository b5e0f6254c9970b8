// The provider's callback payload: the one source of truth. The TypeScript types, the columns
// of video_events (prisma/schema.prisma) and the export columns follow these names.
// Unknown fields are kept (looseObject): providers add fields, and the raw envelope is stored.
import { z } from "zod";

/**
 * Limits, chosen from what the provider sends (its documentation's example, and the shapes of
 * WeChat ids) with room to spare, and below what PostgreSQL can index: a btree entry holds at most
 * 2,704 bytes, and the widest key holding these fields is (fromWxId, nickName) or (instanceId,
 * messageKey, sendTime). A JavaScript character is at most 3 bytes of UTF-8 (4 for a pair), so two
 * 128-character ids and a 256-character name stay under 1,200 bytes. docs/durability.md, "Limits".
 */
export const LIMITS = {
  /** Event codes are 5 digits ("20004"). */
  eventCodeDigits: 8,
  /** wxid_… and custom WeChat ids are 6 to 20 characters, chat rooms "<digits>@chatroom", instance ids 32 hex, message ids 19 digits. */
  id: 128,
  /** Nicknames (WeChat allows 16 to 32 characters), descriptions ("视频消息事件"), file names, keys and digests. */
  name: 256,
  /** The auth key (about 140 characters in the example). */
  key: 1024,
  /** CDN links (about 560 characters in the example) and appInfo. */
  long: 4096,
  /** The envelope is 3 levels deep (envelope, data, cdnData); JSON nested deeper than this is refused unread. */
  jsonDepth: 32,
} as const;

/** C0 and C1 control characters and DEL: no id holds them (a NUL was already replaced, see body-text.ts). */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Integers sometimes arrive as numeric strings; anything else of the wrong type is refused. */
const int = z.preprocess(
  (v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ error: (i) => (i.input === undefined ? "required" : "expected an integer") }).int("expected an integer"),
);

const upTo = (max: number) => `at most ${max} characters`;

/** An id's text: bounded, and printable (ids end up in URLs, logs, alerts and index keys). */
const idText = z.string().max(LIMITS.id, upTo(LIMITS.id)).refine((s) => !CONTROL_CHARACTER.test(s), "must not contain control characters");

/** Message ids are 64-bit numbers: keep them as text so no digit is lost. */
const id = z.union([z.string(), z.number().int()]).transform(String).pipe(idText);

/** Documented as milliseconds; a value below 10^12 is seconds (some deployments send those). */
const timestamp = int.pipe(z.number().nonnegative()).transform((n) => new Date(n < 1e12 ? n * 1000 : n));

const text = z.string({ error: (i) => (i.input === undefined ? "required" : "expected a string") });
const textUpTo = (max: number) => text.max(max, upTo(max));
/** A string id (instanceId, conversationId, ...). */
const idString = text.pipe(idText);

/**
 * A robot's id is the robot's WeChat id (`wxid_` and 14 or so letters and digits, or the
 * account's own id: letters, digits, `_` and `-`, 6 to 20 characters) or the provider's number
 * for it. 64 characters leave room for a UUID or a 32-digit hex id. Nothing else is accepted:
 * robot ids are shown on every overview, listed in alerts posted to operators' group chats and
 * used as metric labels, and `.`, `/`, `:`, `@`, `<`, `>`, `[`, `&` or a space are what turn a text
 * into a link or a mention there. docs/dashboard.md ("Robots and silence alerts") says why.
 */
export const ROBOT_ID_MAX_LENGTH = 64;
const ROBOT_ID_ALPHABET = /^[A-Za-z0-9_-]*$/;

export const robotIdSchema = z
  .union([z.string(), z.number()], { error: (i) => (i.input === undefined ? "required" : "expected a string") })
  .transform(String)
  .pipe(
    z
      .string()
      .min(1, "must not be empty")
      .max(ROBOT_ID_MAX_LENGTH, `at most ${ROBOT_ID_MAX_LENGTH} characters`)
      .regex(ROBOT_ID_ALPHABET, "only letters, digits, _ and -"),
  );

/** The robot any event's data may name (lib/robots counts every one): absent, null or "" names none. */
export const eventRobotIdSchema = z.preprocess((v) => (v === null || v === "" ? undefined : v), robotIdSchema.optional());

/** Whether `id` is a robot id as the callback accepts them today (older rows may hold others). */
export function isRobotId(id: string): boolean {
  return id.length >= 1 && id.length <= ROBOT_ID_MAX_LENGTH && ROBOT_ID_ALPHABET.test(id);
}

export const cdnDataSchema = z.looseObject({
  url: textUpTo(LIMITS.long).min(1, "must not be empty"),
  aes_key: textUpTo(LIMITS.name).nullish(),
  auth_key: textUpTo(LIMITS.key).nullish(),
  file_name: textUpTo(LIMITS.name).nullish(),
  md5: textUpTo(LIMITS.name).nullish(),
  size: int.nullish(),
  preview_img_url: textUpTo(LIMITS.long).nullish(),
  preview_img_size: int.nullish(),
  width: int.nullish(),
  height: int.nullish(),
  cdnType: int.nullish(),
});

export const videoDataSchema = z.looseObject({
  instanceId: idString.nullish(),
  robotId: robotIdSchema,
  sendTime: timestamp.nullish(),
  localId: id.nullish(),
  serverId: id.nullish(),
  appInfo: textUpTo(LIMITS.long).nullish(),
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
  conversationId: idString.nullish(),
  fromWxId: idString.nullish(),
  toWxId: idString.nullish(),
  fromNickName: textUpTo(LIMITS.name).nullish(),
  isPc: int.nullish(),
});

/** Every event shares this envelope; only `data` differs by event code. */
export const envelopeSchema = z.looseObject({
  event: z
    .union([z.string(), z.number()], { error: "required: the event code" })
    .transform((v) => String(v).trim())
    .pipe(z.string().regex(new RegExp(`^\\d{1,${LIMITS.eventCodeDigits}}$`), `expected an event code: 1 to ${LIMITS.eventCodeDigits} digits`)),
  description: textUpTo(LIMITS.name).nullish(),
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
