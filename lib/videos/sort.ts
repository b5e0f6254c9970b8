// The orders a list of videos can be read in (`sort`), each with its keyset cursor. Every order
// ends in the id, in the same direction, so ties (many videos of 10 s, or of one second) still
// page without skipping or repeating, and each order is one range of one index read forwards or
// backwards (video_events_time_idx, _duration_idx, _size_idx).
import { z } from "zod";
import { optionalText, ParamError, parseParams } from "../params";
import { afterTimeIdSql, decodeTimeIdCursor, encodeTimeIdCursor, isBigintId, limitParam, type TimeIdCursor } from "../shared/paging";
import { bind } from "../shared/sql";

/** `-` first: largest, longest or newest first. `-time` is the default, as the lists always were. */
export const VIDEO_SORTS = ["-time", "time", "-duration", "duration", "-size", "size"] as const;
export type VideoSort = (typeof VIDEO_SORTS)[number];
export const DEFAULT_SORT: VideoSort = "-time";

type SortKey = "time" | "duration" | "size";

/**
 * What each order reads, written exactly as its index is (the planner matches the expression).
 * A size the provider did not send counts as 0: with NULL the order would need NULLS FIRST one way
 * and LAST the other, and a cursor could not say where a run of NULLs ends.
 */
const EXPRESSIONS: Record<SortKey, string> = {
  time: `video_events."sendTime"`,
  duration: `video_events.duration`,
  size: `COALESCE(video_events."cdnSize", 0)`,
};

export function sortKey(sort: VideoSort): SortKey {
  return sort.replace(/^-/, "") as SortKey;
}

export function sortDirection(sort: VideoSort): "asc" | "desc" {
  return sort.startsWith("-") ? "desc" : "asc";
}

/** Where a page of a duration or size order ended: the last row's value and id. */
export type ValueIdCursor = { key: "duration" | "size"; value: string; id: string };
export type VideoCursor = TimeIdCursor | ValueIdCursor;

/** Time orders keep the cursor they always had (so a saved `nextCursor` still works); the others name their key. */
export function encodeVideoCursor(sort: VideoSort, last: { sendTime: Date; duration: number; cdnSize: number | null; id: string }): string {
  const key = sortKey(sort);
  if (key === "time") return encodeTimeIdCursor({ time: last.sendTime, id: last.id });
  const value = key === "duration" ? last.duration : (last.cdnSize ?? 0);
  return Buffer.from(`${key}:${value}:${last.id}`).toString("base64url");
}

/** The cursor of `sort`, or null: a cursor of another order is as unreadable as a damaged one. */
export function decodeVideoCursor(sort: VideoSort, text: string): VideoCursor | null {
  const key = sortKey(sort);
  if (key === "time") return decodeTimeIdCursor(text);
  if (text.length > 100 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const m = /^(duration|size):(\d{1,18}):(\d{1,19})$/.exec(Buffer.from(text, "base64url").toString());
  if (!m || m[1] !== key || !isBigintId(m[3])) return null;
  return { key, value: m[2], id: m[3] };
}

/** The WHERE fragment that continues after `cursor` in `sort`'s order. */
export function afterCursorSql(sort: VideoSort, cursor: VideoCursor | undefined, params: unknown[]): string {
  if (!cursor) return "TRUE";
  const direction = sortDirection(sort);
  if (!("key" in cursor)) return afterTimeIdSql(cursor, EXPRESSIONS.time, params, direction);
  return `(${EXPRESSIONS[cursor.key]}, video_events.id) ${direction === "asc" ? ">" : "<"} (${bind(params, cursor.value)}::bigint, ${bind(params, cursor.id)}::bigint)`;
}

/** `sort`'s key expression and direction, for SQL that orders by it under another name (lib/videos/search.ts). */
export function sortParts(sort: VideoSort): { key: string; direction: "ASC" | "DESC" } {
  return { key: EXPRESSIONS[sortKey(sort)], direction: sortDirection(sort) === "asc" ? "ASC" : "DESC" };
}

/** ORDER BY `sort`, the id breaking ties in the same direction. */
export function orderBySql(sort: VideoSort): string {
  const direction = sortDirection(sort) === "asc" ? "" : " DESC";
  return `${EXPRESSIONS[sortKey(sort)]}${direction}, video_events.id${direction}`;
}

const sortParam = optionalText.pipe(z.enum(VIDEO_SORTS, { error: `must be one of ${VIDEO_SORTS.join(", ")}` }).optional());

const sortedPageSchema = z.object({ sort: sortParam, cursor: optionalText, limit: limitParam });

export type SortedPage = { sort: VideoSort; cursor?: VideoCursor; limit: number };

/** `sort`, `cursor` and `limit` of a list of videos; the cursor is read as `sort`'s. */
export function parseSortedPage(params: URLSearchParams): SortedPage {
  const { sort = DEFAULT_SORT, cursor, limit } = parseParams(sortedPageSchema, {
    sort: params.get("sort") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
    limit: params.get("limit") ?? undefined,
  });
  if (cursor === undefined) return { sort, limit };
  const decoded = decodeVideoCursor(sort, cursor);
  if (!decoded) {
    const message = "malformed cursor: pass back nextCursor as received, with the same sort";
    throw new ParamError(`bad parameters: cursor: ${message}`, [{ path: "cursor", message }]);
  }
  return { sort, cursor: decoded, limit };
}
