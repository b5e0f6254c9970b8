// Reading videos: newest first, keyset pagination, the shared filters.
import type { Pool } from "pg";
import { z } from "zod";
import { cursorParam, limitParam, pageFrom, parseQuery } from "../params";
import { videoWhereSql, type VideoFilters } from "./filters";
import { findTextMatches, matchedVideosSql } from "./search";
import { DETAIL_COLUMNS, ITEM_COLUMNS, toDetail, toItem, type DetailRow, type ItemRow, type VideoItem } from "./item";

export const pageSchema = z.object({ cursor: cursorParam(decodeCursor), limit: limitParam });

export type Page = { cursor?: Cursor; limit: number };
export type Cursor = { time: Date; id: string };

export function parsePage(params: URLSearchParams): Page {
  return parseQuery(pageSchema, params);
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.time.getTime()}:${c.id}`).toString("base64url");
}

export function decodeCursor(text: string): Cursor | null {
  if (text.length > 100 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const m = /^(\d{1,15}):(\d{1,19})$/.exec(Buffer.from(text, "base64url").toString());
  if (!m || !isBigintId(m[2])) return null;
  const time = new Date(Number(m[1]));
  return Number.isNaN(time.getTime()) ? null : { time, id: m[2] };
}

const INDEX_ORDER = `video_events."sendTime" DESC, video_events.id DESC`;

export type VideoPage = { items: VideoItem[]; nextCursor: string | null };

/** `plan`: which of the search's two plans answers `q` (tests force each; see ./search). */
export async function listVideos(db: Pool, filters: VideoFilters, page: Page, options: { plan?: "list" | "walk" } = {}): Promise<VideoPage> {
  // A term that few senders and conversations match is read through them; a common one (null)
  // is tested row by row along the time index, as part of the WHERE clause.
  const matches =
    filters.q && options.plan !== "walk"
      ? await findTextMatches(db, filters.q, options.plan === "list" ? { max: 1_000_000, compare: false } : {})
      : null;
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  let where = videoWhereSql(matches ? { ...filters, q: undefined } : filters, params);
  if (page.cursor) where += ` AND (video_events."sendTime", video_events.id) < (${bind(page.cursor.time)}, ${bind(page.cursor.id)}::bigint)`;
  const limit = bind(page.limit + 1);
  const sql = matches
    ? matchedVideosSql(ITEM_COLUMNS, where, matches, limit, bind)
    : `SELECT ${ITEM_COLUMNS} FROM video_events WHERE ${where} ORDER BY ${INDEX_ORDER} LIMIT ${limit}`;
  const { rows } = await db.query<ItemRow>(sql, params);
  return pageFrom(rows, page.limit, toItem, (last) => encodeCursor({ time: last.sendTime, id: last.id }));
}

export async function getVideo(db: Pool, id: string, options: { includeSecrets?: boolean } = {}) {
  if (!isBigintId(id)) return null;
  const { rows } = await db.query<DetailRow>(`SELECT ${DETAIL_COLUMNS} FROM video_events WHERE id = $1::bigint`, [id]);
  return rows[0] ? toDetail(rows[0], options) : null;
}

/** A positive id that fits PostgreSQL's bigint, so a hostile id is "not found", never an error. */
export function isBigintId(id: string): boolean {
  return /^\d{1,19}$/.test(id) && BigInt(id) <= 9223372036854775807n;
}
