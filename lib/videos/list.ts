// Reading videos: newest first, keyset pagination, the shared filters.
import type { Pool } from "pg";
import { z } from "zod";
import { cursorParam, limitParam, pageFrom, parseQuery } from "../params";
import { matchText, videoWhereSql, type VideoFilters } from "./filters";
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
// The same order, written so that no index provides it: with the matching senders and
// conversations listed, PostgreSQL then reads their rows through their own indexes and sorts
// them, instead of walking the time index hoping to meet them early.
const SORTED = `video_events."sendTime" + interval '0' DESC, video_events.id DESC`;

export type VideoPage = { items: VideoItem[]; nextCursor: string | null };

export async function listVideos(db: Pool, filters: VideoFilters, page: Page): Promise<VideoPage> {
  const params: unknown[] = [];
  const matches = filters.q ? await matchText(db, filters.q) : undefined;
  let where = videoWhereSql(filters, params, matches ?? undefined);
  if (page.cursor) {
    params.push(page.cursor.time, page.cursor.id);
    where += ` AND ("sendTime", id) < ($${params.length - 1}, $${params.length}::bigint)`;
  }
  params.push(page.limit + 1);
  const { rows } = await db.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM video_events WHERE ${where} ORDER BY ${matches ? SORTED : INDEX_ORDER} LIMIT $${params.length}`,
    params,
  );
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
