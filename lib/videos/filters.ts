// The filters every view of the videos shares: the API, the /videos page's query string and
// the export. One schema, one SQL translation, so what is on screen is what gets exported.
import { z } from "zod";
import { config } from "../config";
import { firstValues, optionalText, parseParams, wholeNumber } from "../params";
import { bind as bindParam } from "../shared/sql";
import { dateOnlyIn } from "../time/zone";
import { ARCHIVE_STATES } from "../media/archive-states";
import { textMatchSql } from "./search";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const EARLIEST = new Date("1970-01-01T00:00:00Z");
const LATEST = new Date("9999-12-31T23:59:59.999Z");

/** ISO 8601 (a date, or a date and time) or milliseconds since the epoch; `endOfDay`: a date alone means through its end. */
export function dateParam(endOfDay: boolean) {
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

const MAX_BIGINT = 9223372036854775807n;
/** At most a page's worth: what one selection on a list can hold (`ids`). */
export const MAX_IDS = 500;

/**
 * `ids`: chosen videos (a list's selection, "export N"), whole-number ids separated by commas.
 * Not optionalText: 500 ids run past its 256 characters.
 */
const idList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return undefined;
    const ids = [...new Set(v.split(",").map((id) => id.trim()).filter(Boolean))];
    if (!ids.every((id) => /^\d{1,19}$/.test(id) && BigInt(id) <= MAX_BIGINT)) {
      ctx.addIssue({ code: "custom", message: "expected whole-number ids separated by commas" });
      return z.NEVER;
    }
    if (ids.length > MAX_IDS) {
      ctx.addIssue({ code: "custom", message: `at most ${MAX_IDS} ids` });
      return z.NEVER;
    }
    return ids;
  });

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
    /** The archive state of the video's file (lib/media/archive.ts). */
    archive: optionalText.pipe(z.enum(ARCHIVE_STATES, { error: "must be pending, archived, expired or failed" }).optional()),
    ids: idList,
  })
  .superRefine((f, ctx) => {
    if (f.from && f.to && f.from > f.to) ctx.addIssue({ code: "custom", path: ["from"], message: "from is after to" });
    if (f.minDuration !== undefined && f.maxDuration !== undefined && f.minDuration > f.maxDuration) {
      ctx.addIssue({ code: "custom", path: ["minDuration"], message: "minDuration is above maxDuration" });
    }
  });

export type VideoFilters = z.infer<typeof videoFiltersSchema>;
export const NO_FILTERS: VideoFilters = videoFiltersSchema.parse({});
export const FILTER_NAMES = ["fromWxId", "conversationId", "q", "from", "to", "minDuration", "maxDuration", "direction", "robotId", "instanceId", "archive", "ids"] as const;

export function parseVideoFilters(params: URLSearchParams): VideoFilters {
  return parseParams(videoFiltersSchema, firstValues(params, FILTER_NAMES));
}

/**
 * The WHERE clause for `filters` over video_events (alias-free), with its values appended to
 * `params`. Every value is a bind parameter.
 */
export function videoWhereSql(filters: VideoFilters, params: unknown[]): string {
  const clauses: string[] = [];
  const bind = (value: unknown) => bindParam(params, value);
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
  // One text parameter, not an array: the export inlines every value as a literal (lib/export/query.ts).
  if (filters.ids) clauses.push(`id = ANY (string_to_array(${bind(filters.ids.join(","))}, ',')::bigint[])`);
  // media_archive has no "id": the bare id is the video's, whatever the caller names its table.
  if (filters.archive) {
    clauses.push(`EXISTS (SELECT 1 FROM media_archive a WHERE a."videoEventId" = id AND a.kind = 'video' AND a.state = ${bind(filters.archive)}::archive_state)`);
  }
  // Read row by row: a common term's page is met early in time order (lib/videos/search.ts
  // goes through the senders and conversations instead when the term is rare).
  if (filters.q) clauses.push(textMatchSql(bind(filters.q)));

  return clauses.length ? clauses.join(" AND ") : "TRUE";
}
