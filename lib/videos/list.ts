// Reading videos: newest first, keyset pagination, the shared filters.
import type { Pool } from "pg";
import { encodeTimeIdCursor, afterTimeIdSql, isBigintId, pageFrom, type Page } from "../shared/paging";
import { bind } from "../shared/sql";
import { videoWhereSql, type VideoFilters } from "./filters";
import { findTextMatches, matchedVideosSql, newestOfMatches, type TextMatches } from "./search";
import { DETAIL_COLUMNS, ITEM_COLUMNS, toDetail, toItem, type DetailRow, type ItemRow, type VideoListItem } from "./item";

const INDEX_ORDER = `video_events."sendTime" DESC, video_events.id DESC`;

export type VideoPage = { items: VideoListItem[]; nextCursor: string | null };

/**
 * `plan`: which of the search's two plans answers `q`; `spareKeys`: how many matched keys beyond
 * the page the listing plan reads first (tests force both; see ./search).
 */
export async function listVideos(db: Pool, filters: VideoFilters, page: Page, options: { plan?: "list" | "walk"; spareKeys?: number } = {}): Promise<VideoPage> {
  // A term that few senders and conversations match is read through them; a common one (null)
  // is tested row by row along the time index, as part of the WHERE clause.
  const matches =
    filters.q && options.plan !== "walk"
      ? await findTextMatches(db, filters.q, options.plan === "list" ? { max: 1_000_000, compare: false } : {})
      : null;
  const read = async (listed: TextMatches | null) => {
    const params: unknown[] = [];
    const where = `${videoWhereSql(listed ? { ...filters, q: undefined } : filters, params)} AND ${afterTimeIdSql(page.cursor, `video_events."sendTime"`, params)}`;
    const limit = bind(params, page.limit + 1);
    const sql = listed
      ? matchedVideosSql(ITEM_COLUMNS, where, listed, limit, (value) => bind(params, value))
      : `SELECT ${ITEM_COLUMNS} FROM video_events WHERE ${where} ORDER BY ${INDEX_ORDER} LIMIT ${limit}`;
    return (await db.query<ItemRow>(sql, params)).rows;
  };
  const rows = matches ? await newestOfMatches(matches, page.limit + 1, read, options.spareKeys) : await read(null);
  return pageFrom(rows, page.limit, toItem, (last) => encodeTimeIdCursor({ time: last.sendTime, id: last.id }));
}

export async function getVideo(db: Pool, id: string, options: { includeSecrets?: boolean } = {}) {
  if (!isBigintId(id)) return null;
  const { rows } = await db.query<DetailRow>(`SELECT ${DETAIL_COLUMNS} FROM video_events WHERE id = $1::bigint`, [id]);
  return rows[0] ? toDetail(rows[0], options) : null;
}

