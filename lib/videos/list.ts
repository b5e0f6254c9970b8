// Reading videos: newest first, keyset pagination, the shared filters.
import type { Db } from "../db/client";
import { isBigintId, pageFrom } from "../shared/paging";
import { videoArchive } from "../media/archive-state";
import { bind } from "../shared/sql";
import type { ArchiveState } from "../media/archive-states";
import { conversationNames, type ConversationName } from "../conversations/names";
import { labelsOf } from "../labels/labels";
import { videoWhereSql, type VideoFilters } from "./filters";
import { findTextMatches, matchedVideosSql, newestOfMatches, type TextMatches } from "./search";
import { afterCursorSql, encodeVideoCursor, orderBySql, sortParts, type VideoCursor, type VideoSort } from "./sort";
import { DETAIL_SELECT, detailRowOf, ITEM_COLUMNS, toDetail, toItem, type ItemRow, type VideoListItem } from "./item";

/**
 * A listed video with what is shown beside it: its file's archive state, what its conversation is
 * called and its robot's label (absent on items that arrive live, which carry the payload only).
 */
export type ListedVideo = VideoListItem & { archiveState?: ArchiveState | null; conversationName?: ConversationName; robotLabel?: string | null };

export type VideoPage = { items: ListedVideo[]; nextCursor: string | null };

/** A page to read: `sort` (./sort; newest first when absent) and where the last one ended. */
export type VideoPageRequest = { sort?: VideoSort; cursor?: VideoCursor; limit: number };

/**
 * In an order other than newest first, the listing plan sorts every video of the matched keys
 * (there is no index on key and duration): it is used up to this many, else `q` is tested row by
 * row along the order's index. At 1M videos, a term matching one conversation of 59 videos took
 * 1 to 3 s walking the duration or size index (bench/sorts.ts); one sender's 8,240 videos sort in
 * 3 to 19 ms.
 */
const MAX_SORTED_MATCHES = 20_000;

/**
 * `plan`: which of the search's two plans answers `q`; `spareKeys`: how many matched keys beyond
 * the page the listing plan reads first (tests force both; see ./search). `order: "asc"` lists
 * oldest first (a conversation watched in order), as `sort: "time"` does.
 */
export async function listVideos(
  db: Db,
  filters: VideoFilters,
  page: VideoPageRequest,
  options: { plan?: "list" | "walk"; spareKeys?: number; order?: "asc" | "desc" } = {},
): Promise<VideoPage> {
  const sort: VideoSort = page.sort ?? (options.order === "asc" ? "time" : "-time");
  // A term that few senders and conversations match is read through them; a common one (null)
  // is tested row by row along the time index, as part of the WHERE clause.
  // In other orders the walk's cost is what it is for time, but the listing plan's is every matched
  // video, not a few per key: findTextMatches only finds the keys, and their videos decide.
  const newestFirst = sort === "-time";
  const found =
    filters.q && options.plan !== "walk"
      ? await findTextMatches(db, filters.q, options.plan === "list" || !newestFirst ? { max: options.plan === "list" ? 1_000_000 : undefined, compare: false } : {})
      : null;
  const matches = found && (newestFirst || options.plan === "list" || (found.videos ?? Infinity) <= MAX_SORTED_MATCHES) ? found : null;
  const read = async (listed: TextMatches | null) => {
    const params: unknown[] = [];
    const where = `${videoWhereSql(listed ? { ...filters, q: undefined } : filters, params)} AND ${afterCursorSql(sort, page.cursor, params)}`;
    const limit = bind(params, page.limit + 1);
    const sql = listed
      ? matchedVideosSql(ITEM_COLUMNS, where, listed, limit, (value) => bind(params, value), sortParts(sort))
      : `SELECT ${ITEM_COLUMNS} FROM video_events WHERE ${where} ORDER BY ${orderBySql(sort)} LIMIT ${limit}`;
    return db.$queryRawUnsafe<ItemRow[]>(sql, ...params);
  };
  // Reading the keys with the newest last videos first holds for newest first only.
  const rows = matches ? (newestFirst ? await newestOfMatches(matches, page.limit + 1, read, options.spareKeys) : await read(matches)) : await read(null);
  const result = pageFrom(rows, page.limit, toItem, (last) => encodeVideoCursor(sort, last));
  return { ...result, items: await withNames(db, await withArchiveStates(db, result.items)) };
}

/** Each item with its conversation's name and its robot's label: two queries for the page. */
export async function withNames<T extends VideoListItem>(db: Db, items: T[]): Promise<(T & Pick<Required<ListedVideo>, "conversationName" | "robotLabel">)[]> {
  if (items.length === 0) return [];
  const [names, robots] = await Promise.all([conversationNames(db, items.map((i) => i.conversationId)), labelsOf(db, "robot", items.map((i) => i.robotId))]);
  return items.map((i) => ({
    ...i,
    conversationName: names.get(i.conversationId) ?? { label: null, nicknames: [], participantCount: 0 },
    robotLabel: robots.get(i.robotId) ?? null,
  }));
}

/** Each item with the archive state of its video file (null when never queued): one query for the page. */
async function withArchiveStates(db: Db, items: VideoListItem[]): Promise<(VideoListItem & { archiveState: ArchiveState | null })[]> {
  if (items.length === 0) return [];
  const rows = await db.mediaArchive.findMany({
    where: { kind: "video", videoEventId: { in: items.map((i) => BigInt(i.id)) } },
    select: { videoEventId: true, state: true },
  });
  const states = new Map(rows.map((r) => [String(r.videoEventId), r.state as ArchiveState]));
  return items.map((i) => ({ ...i, archiveState: states.get(i.id) ?? null }));
}

/** The video with its payload's fields and `archive`, the state of its kept files. */
export async function getVideo(db: Db, id: string, options: { includeSecrets?: boolean } = {}) {
  if (!isBigintId(id)) return null;
  const row = await db.videoEvent.findUnique({ where: { id: BigInt(id) }, select: DETAIL_SELECT });
  if (!row) return null;
  const detail = toDetail(detailRowOf(row), options);
  const [archive, [named]] = await Promise.all([videoArchive(db, id), withNames(db, [detail])]);
  return { ...named, archive };
}

