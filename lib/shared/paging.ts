// Keyset paging for every list: the two cursor formats, the page size, the page itself, and
// the bigint id every route and cursor checks. Lists are newest first; a cursor is where the
// last page ended, so page 1,000 is as fast as page 1.
import { z } from "zod";
import { optionalText, parseQuery, wholeNumber } from "../params";
import { dateParam } from "../videos/filters";
import { bind } from "./sql";

const MAX_BIGINT = 9223372036854775807n;

/** A whole, non-negative id that fits PostgreSQL's bigint, as text: a hostile id is "not found", never an SQL error. */
export const bigintId = z.string().refine((id) => /^\d{1,19}$/.test(id) && BigInt(id) <= MAX_BIGINT, "expected a whole number id within bigint");

export function isBigintId(id: string): boolean {
  return bigintId.safeParse(id).success;
}

/** Lists of rows with a bigint id (videos, deliveries): ordered by (time DESC, id DESC). */
export type TimeIdCursor = { time: Date; id: string };

export function encodeTimeIdCursor(c: TimeIdCursor): string {
  return Buffer.from(`${c.time.getTime()}:${c.id}`).toString("base64url");
}

export function decodeTimeIdCursor(text: string): TimeIdCursor | null {
  if (text.length > 100 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const m = /^(\d{1,15}):(\d{1,19})$/.exec(Buffer.from(text, "base64url").toString());
  if (!m || !isBigintId(m[2])) return null;
  return validTime(Number(m[1]), (time) => ({ time, id: m[2] }));
}

/** The WHERE fragment that continues after `cursor` in (timeColumn DESC, id DESC) order, or ASC with `order`. */
export function afterTimeIdSql(cursor: TimeIdCursor | undefined, timeColumn: string, params: unknown[], order: "asc" | "desc" = "desc"): string {
  if (!cursor) return "TRUE";
  return `(${timeColumn}, id) ${order === "asc" ? ">" : "<"} (${bind(params, cursor.time)}, ${bind(params, cursor.id)}::bigint)`;
}

/** Summary lists (conversations, senders): by (lastVideoAt DESC, text key ASC), matching their indexes. */
export type TimeKeyCursor = { time: Date; key: string };

const MAX_KEY = 512;

export function encodeTimeKeyCursor(c: TimeKeyCursor): string {
  return Buffer.from(JSON.stringify([c.time.getTime(), c.key])).toString("base64url");
}

export function decodeTimeKeyCursor(text: string): TimeKeyCursor | null {
  if (text.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString());
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [ms, key] = value as unknown[];
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || typeof key !== "string" || key.length > MAX_KEY) return null;
  return validTime(ms, (time) => ({ time, key }));
}

/** The WHERE fragment that continues after `cursor` for a summary table keyed by `keyColumn`. */
export function afterTimeKeySql(cursor: TimeKeyCursor | undefined, keyColumn: string, params: unknown[]): string {
  if (!cursor) return "TRUE";
  const t = bind(params, cursor.time);
  const k = bind(params, cursor.key);
  return `("lastVideoAt" < ${t} OR ("lastVideoAt" = ${t} AND "${keyColumn}" > ${k}))`;
}

/**
 * The keys of a summary table (`table`, keyed by `keyColumn`, a column video_events shares) with a
 * video between `from` and `to`. The summary's first and last video bound it: one range of its
 * lastVideoAt index, the order the lists read in. A range that ends at or after a key's last video
 * (every preset but "yesterday") is settled there; only a key whose videos reach past `to` is looked
 * up in video_events, one descent of its (key, sendTime) index. Deletes leave a key's first and last
 * times as they were (docs/performance.md), so a key whose only videos in the range were deleted
 * can still be listed.
 */
export function activeBetweenSql(table: string, keyColumn: string, range: { from?: Date; to?: Date }, params: unknown[]): string {
  const clauses: string[] = [];
  const from = range.from && bind(params, range.from);
  if (from) clauses.push(`"lastVideoAt" >= ${from}`);
  if (range.to) {
    const to = bind(params, range.to);
    clauses.push(`"firstVideoAt" <= ${to}`);
    if (from) {
      // A scalar subquery, not EXISTS: PostgreSQL would hash EXISTS, reading every video of the
      // range first (60,000 rows, 300 ms for "yesterday" at 1M); this one is one descent per key.
      const probe = `SELECT true FROM video_events v WHERE v."${keyColumn}" = ${table}."${keyColumn}" AND v."sendTime" >= ${from} AND v."sendTime" <= ${to} LIMIT 1`;
      clauses.push(`("lastVideoAt" <= ${to} OR (${probe}) IS NOT NULL)`);
    }
  }
  return clauses.length ? clauses.join(" AND ") : "TRUE";
}

/** Lists ordered by a small whole-number rank, then a text key (robots: silent before active, then by id). */
export type RankKeyCursor = { rank: number; key: string };

export function encodeRankKeyCursor(c: RankKeyCursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.key])).toString("base64url");
}

export function decodeRankKeyCursor(text: string): RankKeyCursor | null {
  if (text.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString());
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [rank, key] = value as unknown[];
  if (typeof rank !== "number" || !Number.isInteger(rank) || rank < 0 || rank > 9 || typeof key !== "string" || key.length > MAX_KEY) return null;
  return { rank, key };
}

/** The WHERE fragment that continues after `cursor` in (rankExpr ASC, keyColumn ASC) order. */
export function afterRankKeySql(cursor: RankKeyCursor | undefined, rankExpr: string, keyColumn: string, params: unknown[]): string {
  if (!cursor) return "TRUE";
  return `(${rankExpr}, ${keyColumn}) > (${bind(params, cursor.rank)}::int, ${bind(params, cursor.key)}::text)`;
}

function validTime<T>(ms: number, make: (time: Date) => T): T | null {
  const time = new Date(ms);
  return Number.isNaN(time.getTime()) ? null : make(time);
}

/** An opaque paging cursor, decoded by `decode`; anything it cannot read is refused. */
export function cursorParam<T>(decode: (text: string) => T | null) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return undefined;
      const decoded = decode(v);
      if (decoded === null) {
        ctx.addIssue({ code: "custom", message: "malformed cursor: pass back nextCursor as received" });
        return z.NEVER;
      }
      return decoded;
    });
}

/** Page size: 1 to 500, 50 when absent. */
export const limitParam = wholeNumber.pipe(
  z.number({ error: "expected a number" }).int("expected a whole number").min(1, "must be 1 or more").max(500, "at most 500").default(50),
);

export const pageSchema = z.object({ cursor: cursorParam(decodeTimeIdCursor), limit: limitParam });

export type Page = { cursor?: TimeIdCursor; limit: number };

export function parsePage(params: URLSearchParams): Page {
  return parseQuery(pageSchema, params);
}

/** `from`/`to`: only the keys with a video in that range (as the videos' filters read them). */
export const summaryQuerySchema = z
  .object({ q: optionalText, from: dateParam(false).optional(), to: dateParam(true).optional(), cursor: cursorParam(decodeTimeKeyCursor), limit: limitParam })
  .superRefine((f, ctx) => {
    if (f.from && f.to && f.from > f.to) ctx.addIssue({ code: "custom", path: ["from"], message: "from is after to" });
  });

export type SummaryQuery = z.infer<typeof summaryQuerySchema>;

export function parseSummaryQuery(params: URLSearchParams): SummaryQuery {
  return parseQuery(summaryQuerySchema, params);
}

/**
 * One page from rows fetched with LIMIT limit + 1: the extra row only says that another page
 * follows, and the last row shown is where it starts.
 */
export function pageFrom<R, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf: (last: R) => string) {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(map), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

/** A page of a summary list, its cursor keyed by last activity and `key`. */
export function summaryPage<R extends { lastVideoAt: Date }, T>(rows: R[], limit: number, key: (r: R) => string, map: (r: R) => T) {
  return pageFrom(rows, limit, map, (last) => encodeTimeKeyCursor({ time: last.lastVideoAt, key: key(last) }));
}
