// What became of one callback delivery: the one outcome type of lib/ingest, from the group
// statement's answer for one row up to the status the provider is given. The status travels
// with the outcome because it is part of what is recorded (deliveries."httpStatus") and the
// route must not work it out a second time.
import { VIDEO_EVENT_CODE } from "./payload";

/** One field of the payload that failed validation. */
export type Issue = { path: string; message: string };

export type Outcome =
  /** A new video was committed, or the same message already was (nothing new written). */
  | { status: 200; outcome: "stored" | "duplicate"; eventCode: typeof VIDEO_EVENT_CODE; videoId: string | null; deliveryId: string | null }
  /** A well-formed envelope of another event code, kept in the deliveries log. */
  | { status: 200; outcome: "other_event"; eventCode: string }
  /** The database could not take it; it is fsync'd to the spool and replayed later. */
  | { status: 200; outcome: "spooled"; eventCode: string | null }
  /** The body or its payload is malformed (400), or the database refused its values (400). */
  | { status: 400; outcome: "rejected"; eventCode: string | null; error: string; issues: Issue[] }
  /** Over CALLBACK_MAX_BYTES: refused unread, its first bytes recorded. */
  | { status: 413; outcome: "rejected"; eventCode: null; error: string; bytes: number; head: string }
  /** The callback token is missing or wrong. */
  | { status: 401; outcome: "unauthorized"; eventCode: null; error: string }
  /** Neither the database nor the spool could take it: the provider may retry. */
  | { status: 503; outcome: "unavailable"; eventCode: string | null; error: string };

/** A video row's outcome, as the group statement reports it. */
export type VideoOutcome = Extract<Outcome, { outcome: "stored" | "duplicate" }>;

/** An outcome for a delivery that was written (or refused) in the database, as opposed to spooled or refused at the door. */
export type StoredOutcome = Extract<Outcome, { outcome: "stored" | "duplicate" | "other_event" } | { status: 400 }>;

export function rejected(eventCode: string | null, error: string, issues: Issue[] = []): Outcome & { status: 400 } {
  return { status: 400, outcome: "rejected", eventCode, error, issues };
}

export function unavailable(eventCode: string | null): Outcome & { status: 503 } {
  return { status: 503, outcome: "unavailable", eventCode, error: "the delivery could not be stored: retry later" };
}

export function unauthorized(): Outcome & { status: 401 } {
  return { status: 401, outcome: "unauthorized", eventCode: null, error: "missing or wrong callback token: add ?token=<CALLBACK_TOKEN> to the callback URL" };
}
