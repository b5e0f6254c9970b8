// The filters every view of the videos shares: the API, the /videos page's query string and
// the export. One schema, one SQL translation, so what is on screen is what gets exported.
import type { Pool } from "pg";
import { z } from "zod";
import { config } from "../config";
import { escapeLike, firstValues, optionalText, parseParams, wholeNumber } from "../params";
import { dateOnlyIn } from "../time/zone";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const EARLIEST = new Date("1970-01-01T00:00:00Z");
const LATEST = new Date("9999-12-31T23:59:59.999Z");

/** ISO 8601 (a date, or a date and time) or milliseconds since the epoch. */
function dateParam(endOfDay: boolean) {
  return optionalText.transform((v, ctx) => {
    if (v === undefined) return undefined;
    let date: Date;
    if (/^\d+$/.test(v)) date = new Date(Number(v));
    // A date alone is that day in the dashboard's zone (TZ); `to=2024-09-30` means through its end.
    else if (DATE_ONLY.test(v)) date = dateOnlyIn(v, config().TZ, endOfDay);
    else date = new Date(v);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", message: `not a date: expected ISO 8601 or milliseconds` });
      return z.NEVER;
    }
    // JavaScript dates reach far beyond what PostgreSQL's timestamptz holds.
    if (date < EARLIEST || date > LATEST) {
      ctx.addIssue({ code: "custom", message: "out of range: expected a year between 1970 and 9999" });
      return z.NEVER;
    }
    return date;
  });
}

const seconds = wholeNumber.pipe(
  z.number({ error: "expected a number of seconds" }).int("expected whole seconds").min(0, "must be 0 or more").max(86_400 * 365).optional(),
);

export const videoFiltersSchema = z
  .object({
    fromWxId: optionalText,
    conversationId: optionalText,
    q: optionalText,
    from: dateParam(false),
    to: dateParam(true),
    minDuration: seconds,
    maxDuration: seconds,
    direction: optionalText.pipe(z.enum(["in", "out"], { error: "must be in or out" }).optional()),
    robotId: optionalText,
    instanceId: optionalText,
  })
  .superRefine((f, ctx) => {
    if (f.from && f.to && f.from > f.to) ctx.addIssue({ code: "custom", path: ["from"], message: "from is after to" });
    if (f.minDuration !== undefined && f.maxDuration !== undefined && f.minDuration > f.maxDuration) {
      ctx.addIssue({ code: "custom", path: ["minDuration"], message: "minDuration is above maxDuration" });
    }
  });

export type VideoFilters = z.infer<typeof videoFiltersSchema>;
export const NO_FILTERS: VideoFilters = videoFiltersSchema.parse({});
export const FILTER_NAMES = ["fromWxId", "conversationId", "q", "from", "to", "minDuration", "maxDuration", "direction", "robotId", "instanceId"] as const;

export function parseVideoFilters(params: URLSearchParams): VideoFilters {
  return parseParams(videoFiltersSchema, firstValues(params, FILTER_NAMES));
}

const MATCHING_SENDERS_SQL = (pattern: string) =>
  `SELECT "fromWxId" FROM sender_summaries WHERE "fromWxId" ILIKE ${pattern}
   UNION SELECT "fromWxId" FROM sender_nicknames WHERE "nickName" ILIKE ${pattern}`;
const MATCHING_CONVERSATIONS_SQL = (pattern: string) =>
  `SELECT "conversationId" FROM conversation_summaries WHERE "conversationId" ILIKE ${pattern}`;

/** The senders and conversations a free-text `q` matches, when their videos are few enough to sort. */
export type TextMatches = { senders: string[]; conversations: string[] };

/** Beyond this many matching videos, walking the time index with the subquery filter is faster. */
const MAX_MATCHED_VIDEOS = 100_000;
const MAX_LISTED = 1000;

/**
 * Resolves `q` against the summary tables first. A rare term (one sender among thousands) would
 * otherwise make PostgreSQL walk the whole time index looking for its rows: 1.8 s on a million
 * videos, against milliseconds through the sender and conversation indexes once the ids are known
 * and their videos (counted in the summaries) are few enough to sort. Null: too many; walk instead.
 */
export async function matchText(db: Pool, q: string): Promise<TextMatches | null> {
  const pattern = `%${escapeLike(q)}%`;
  const [senders, conversations] = await Promise.all([
    db.query<{ id: string; n: number }>(
      `SELECT "fromWxId" AS id, "videoCount" AS n FROM sender_summaries WHERE "fromWxId" IN (${MATCHING_SENDERS_SQL("$1")}) LIMIT ${MAX_LISTED + 1}`,
      [pattern],
    ),
    db.query<{ id: string; n: number }>(
      `SELECT "conversationId" AS id, "videoCount" AS n FROM conversation_summaries WHERE "conversationId" ILIKE $1 LIMIT ${MAX_LISTED + 1}`,
      [pattern],
    ),
  ]);
  const rows = [...senders.rows, ...conversations.rows];
  if (senders.rows.length > MAX_LISTED || conversations.rows.length > MAX_LISTED) return null;
  if (rows.reduce((sum, r) => sum + r.n, 0) > MAX_MATCHED_VIDEOS) return null;
  return { senders: senders.rows.map((r) => r.id), conversations: conversations.rows.map((r) => r.id) };
}

/**
 * The WHERE clause for `filters` over video_events (alias-free), with its values appended to
 * `params`. Every value is a bind parameter.
 */
export function videoWhereSql(filters: VideoFilters, params: unknown[], matches?: TextMatches): string {
  const clauses: string[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filters.fromWxId) clauses.push(`"fromWxId" = ${bind(filters.fromWxId)}`);
  if (filters.conversationId) clauses.push(`"conversationId" = ${bind(filters.conversationId)}`);
  if (filters.robotId) clauses.push(`"robotId" = ${bind(filters.robotId)}`);
  if (filters.instanceId) clauses.push(`"instanceId" = ${bind(filters.instanceId)}`);
  if (filters.from) clauses.push(`"sendTime" >= ${bind(filters.from)}`);
  if (filters.to) clauses.push(`"sendTime" <= ${bind(filters.to)}`);
  if (filters.minDuration !== undefined) clauses.push(`"duration" >= ${bind(filters.minDuration)}`);
  if (filters.maxDuration !== undefined) clauses.push(`"duration" <= ${bind(filters.maxDuration)}`);
  if (filters.direction === "out") clauses.push(`"messageSource" = 1`);
  if (filters.direction === "in") clauses.push(`"messageSource" <> 1`);
  if (filters.q && matches) {
    // The few senders and conversations the text matched, as values: the planner then reads
    // just their rows through the sender and conversation indexes.
    clauses.push(`("fromWxId" = ANY(${bind(matches.senders)}::text[]) OR "conversationId" = ANY(${bind(matches.conversations)}::text[]))`);
  } else if (filters.q) {
    // Free text goes through the small summary tables (senders, their nickname history,
    // conversations) rather than scanning every event with a leading-wildcard LIKE.
    const pattern = bind(`%${escapeLike(filters.q)}%`);
    clauses.push(`("fromWxId" IN (${MATCHING_SENDERS_SQL(pattern)}) OR "conversationId" IN (${MATCHING_CONVERSATIONS_SQL(pattern)}))`);
  }

  return clauses.length ? clauses.join(" AND ") : "TRUE";
}
