// Reading videos: newest first, keyset pagination, the shared filters.
import type { Pool } from "pg";
import { afterTimeIdSql, encodeTimeIdCursor, isBigintId, pageFrom, type Page } from "../shared/paging";
import { bind } from "../shared/sql";
import { matchText, videoWhereSql, type VideoFilters } from "./filters";
import { DETAIL_COLUMNS, ITEM_COLUMNS, toDetail, toItem, type DetailRow, type ItemRow, type VideoListItem } from "./item";

const INDEX_ORDER = `video_events."sendTime" DESC, video_events.id DESC`;
// The same order, written so that no index provides it: with the matching senders and
// conversations listed, PostgreSQL then reads their rows through their own indexes and sorts
// them, instead of walking the time index hoping to meet them early.
const SORTED = `video_events."sendTime" + interval '0' DESC, video_events.id DESC`;

export type VideoPage = { items: VideoListItem[]; nextCursor: string | null };

export async function listVideos(db: Pool, filters: VideoFilters, page: Page): Promise<VideoPage> {
  const params: unknown[] = [];
  const matches = filters.q ? await matchText(db, filters.q) : undefined;
  const where = `${videoWhereSql(filters, params, matches ?? undefined)} AND ${afterTimeIdSql(page.cursor, `"sendTime"`, params)}`;
  const { rows } = await db.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM video_events WHERE ${where} ORDER BY ${matches ? SORTED : INDEX_ORDER} LIMIT ${bind(params, page.limit + 1)}`,
    params,
  );
  return pageFrom(rows, page.limit, toItem, (last) => encodeTimeIdCursor({ time: last.sendTime, id: last.id }));
}

export async function getVideo(db: Pool, id: string, options: { includeSecrets?: boolean } = {}) {
  if (!isBigintId(id)) return null;
  const { rows } = await db.query<DetailRow>(`SELECT ${DETAIL_COLUMNS} FROM video_events WHERE id = $1::bigint`, [id]);
  return rows[0] ? toDetail(rows[0], options) : null;
}

