// Poison pills (issue 24): callbacks under the size limit that a receiver without limits answered
// 200, spooled, and then failed to store forever (an index row too large, a stack overflow),
// holding back everything spooled after them. Shared by the unit, HTTP, fuzz and chaos tests.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

const example = JSON.parse(readFileSync(new URL("../fixtures/provider-example-20004.json", import.meta.url), "utf8"));

/** Random hex: incompressible enough that PostgreSQL cannot squeeze it under the index row limit. */
const noise = (chars: number) => randomBytes(Math.ceil(chars / 2)).toString("hex").slice(0, chars);
/** Random digits: an event code of the right characters, only too long. */
const digits = (chars: number) => Array.from(randomBytes(chars), (b) => String(b % 10)).join("");

/** `marker` goes into every pill's body, so its deliveries row can be found by it. */
export type Pill = {
  name: string;
  body: (marker: string) => Buffer;
  /** What the refusal names: the field, or the nesting. */
  error: RegExp;
};

const video = (marker: string, data: Record<string, unknown> = {}) => ({
  ...example,
  time: Date.now(),
  data: { ...example.data, instanceId: `poison-${marker}`, serverId: marker, sendTime: Date.now(), ...data },
});

/** `value` with a nested structure `depth` deep spliced in at the placeholder (JSON.stringify could not write it). */
const deep = (value: unknown, open: string, inner: string, close: string, depth: number) =>
  Buffer.from(JSON.stringify(value).replace('"__DEEP__"', `${open.repeat(depth)}${inner}${close.repeat(depth)}`));

export const PILLS: Pill[] = [
  {
    name: "a 6,000-character event code",
    body: (marker) => Buffer.from(JSON.stringify({ ...video(marker), event: digits(6000) })),
    error: /event/,
  },
  {
    name: "a 20004 with an array nested 6,000 deep",
    body: (marker) => deep(video(marker, { extra: "__DEEP__" }), "[", "", "]", 6000),
    error: /nested deeper than/,
  },
  {
    // The escaped NUL made the receiver copy the value without it, recursively.
    name: "another event with an object nested 50,000 deep",
    body: (marker) => deep({ event: "20005", time: Date.now(), data: { robotId: "r", marker, note: "\u0000", a: "__DEEP__" } }, '{"a":', "0", "}", 50_000),
    error: /nested deeper than/,
  },
  { name: "an 8 KB conversation id", body: (marker) => Buffer.from(JSON.stringify(video(marker, { conversationId: noise(8192) }))), error: /data\.conversationId/ },
  { name: "an 8 KB sender id", body: (marker) => Buffer.from(JSON.stringify(video(marker, { fromWxId: noise(8192) }))), error: /data\.fromWxId/ },
  { name: "an 8 KB robot id", body: (marker) => Buffer.from(JSON.stringify(video(marker, { robotId: noise(8192) }))), error: /data\.robotId/ },
  {
    name: "control characters in ids",
    body: (marker) => Buffer.from(JSON.stringify(video(marker, { fromWxId: "wxid_\u0007\u001b[2J\r\nroot", conversationId: "\u0085R:1@chatroom\u007f" }))),
    error: /data\.(fromWxId|conversationId)/,
  },
];

/** An ordinary video with this serverId: what must still be stored after a pill. */
export function ordinaryVideo(serverId: string): Buffer {
  return Buffer.from(JSON.stringify(video(serverId)));
}
