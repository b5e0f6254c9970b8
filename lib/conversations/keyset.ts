// Paging for the summary lists (conversations, senders): most recent activity first, keyed
// by (lastVideoAt DESC, key ASC) to match their indexes, so page 1,000 is as fast as page 1.
import { z } from "zod";
import { cursorParam, limitParam, optionalText, pageFrom, parseQuery } from "../params";

export type KeysetCursor = { time: Date; key: string };

const MAX_KEY = 512;

export function encodeKeyset(c: KeysetCursor): string {
  return Buffer.from(JSON.stringify([c.time.getTime(), c.key])).toString("base64url");
}

export function decodeKeyset(text: string): KeysetCursor | null {
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
  const time = new Date(ms);
  return Number.isNaN(time.getTime()) ? null : { time, key };
}

export const summaryQuerySchema = z.object({ q: optionalText, cursor: cursorParam(decodeKeyset), limit: limitParam });

export type SummaryQuery = z.infer<typeof summaryQuerySchema>;

export function parseSummaryQuery(params: URLSearchParams): SummaryQuery {
  return parseQuery(summaryQuerySchema, params);
}

/** The WHERE fragment that continues after `cursor` for a table keyed by `keyColumn`. */
export function afterCursorSql(cursor: KeysetCursor | undefined, keyColumn: string, params: unknown[]): string {
  if (!cursor) return "TRUE";
  params.push(cursor.time, cursor.key);
  const t = `$${params.length - 1}`;
  const k = `$${params.length}`;
  return `("lastVideoAt" < ${t} OR ("lastVideoAt" = ${t} AND "${keyColumn}" > ${k}))`;
}

/** A page of a summary list, its cursor keyed by last activity and `key`. */
export function pageOf<R extends { lastVideoAt: Date }, T>(rows: R[], limit: number, key: (r: R) => string, map: (r: R) => T) {
  return pageFrom(rows, limit, map, (last) => encodeKeyset({ time: last.lastVideoAt, key: key(last) }));
}
