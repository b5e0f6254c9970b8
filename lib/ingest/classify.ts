// What a delivery means, before anything is written: parsed, validated against the payload
// schema, and sorted into a video, another event, or a rejection with its reasons. Pure: the
// schema tests and the demo use it directly.
import type { z } from "zod";
import { deliveryFailure } from "../db/errors";
import { decode, nestedDeeperThan, withoutNul } from "./body-text";
import type { Issue } from "./outcome";
import { envelopeSchema, eventRobotIdSchema, LIMITS, robotIdSchema, VIDEO_EVENT_CODE, videoEnvelopeSchema, type VideoEnvelope } from "./payload";

export type Classified =
  | { kind: "video"; envelope: VideoEnvelope; raw: unknown; eventCode: typeof VIDEO_EVENT_CODE }
  | { kind: "other_event"; eventCode: string; robot?: RobotIds }
  | { kind: "rejected"; eventCode: string | null; error: string; issues: Issue[]; robot?: RobotIds };

/** Which robot a delivery came from, when its envelope says (lib/robots counts it). */
export type RobotIds = { robotId: string | null; instanceId: string | null };

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export function parseBody(body: Buffer): Parsed {
  const text = decode(body).trim();
  if (text === "") return { ok: false, error: "empty body: expected the provider's JSON envelope" };
  if (nestedDeeperThan(body, LIMITS.jsonDepth)) return { ok: false, error: `body is JSON nested deeper than ${LIMITS.jsonDepth} levels: refused unread` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `body is not JSON: ${(err as Error).message.split("\n")[0]}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: `body is not a JSON object (got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value})` };
  }
  // U+0000 can only be in a parsed string if the text escapes it (JSON forbids the raw byte in a
  // string): the copy without it is made only then (it was the largest cost of classifying).
  return { ok: true, value: /\\u0000/.test(text) ? withoutNul(value) : value };
}

/**
 * Never throws: a body that makes reading it fail (a RangeError or TypeError, such as a stack
 * overflow in a library) is that body's fault, and is rejected like any other broken body.
 */
export function classify(body: Buffer): Classified {
  try {
    return classifyParsed(parseBody(body));
  } catch (err) {
    if (deliveryFailure(err) !== "own") throw err;
    return { kind: "rejected", eventCode: null, error: `body could not be read: ${String(err).split("\n")[0]}`, issues: [] };
  }
}

function classifyParsed(parsed: Parsed): Classified {
  if (!parsed.ok) return { kind: "rejected", eventCode: null, error: parsed.error, issues: [] };
  const envelope = envelopeSchema.safeParse(parsed.value);
  if (!envelope.success) {
    const issues = toIssues(envelope.error);
    return { kind: "rejected", eventCode: null, error: `invalid envelope: ${summarise(issues)}`, issues };
  }
  const eventCode = envelope.data.event;
  if (eventCode !== VIDEO_EVENT_CODE) {
    // Other events are kept as received, but the robot they name must be a robot id (a video's
    // own schema checks its robotId with the rest of its fields).
    const data = envelope.data.data;
    const named = eventRobotIdSchema.safeParse(typeof data === "object" && data !== null ? (data as Record<string, unknown>).robotId : undefined);
    if (!named.success) {
      const issues = toIssues(named.error).map((i) => ({ ...i, path: "data.robotId" }));
      return { kind: "rejected", eventCode, error: `invalid envelope: ${summarise(issues)}`, issues };
    }
    return { kind: "other_event", eventCode, robot: robotIdsOf(data) };
  }
  const robot = robotIdsOf(envelope.data.data);
  const video = videoEnvelopeSchema.safeParse(parsed.value);
  if (!video.success) {
    const issues = toIssues(video.error);
    return { kind: "rejected", eventCode, error: `invalid ${VIDEO_EVENT_CODE} payload: ${summarise(issues)}`, issues, robot };
  }
  return { kind: "video", envelope: video.data, raw: parsed.value, eventCode: VIDEO_EVENT_CODE };
}

/**
 * Every event carries data.robotId and data.instanceId; ids are kept as text. The envelope's schema
 * has refused a robotId that breaks the rule (payload.ts), so one that is there is valid.
 */
function robotIdsOf(data: unknown): RobotIds | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { robotId, instanceId } = data as Record<string, unknown>;
  const parsed = robotIdSchema.safeParse(robotId);
  if (!parsed.success) return undefined;
  const idText = (v: unknown) => ((typeof v === "string" && v !== "") || typeof v === "number" ? String(v).slice(0, 200) : null);
  return { robotId: parsed.data, instanceId: idText(instanceId) };
}

function toIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

function summarise(issues: Issue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
  return issues.length > 5 ? `${shown}; and ${issues.length - 5} more` : shown;
}
