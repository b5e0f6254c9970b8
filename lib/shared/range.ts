// The conversation and sender lists by date range: which keys had a video in it.
import type { Db } from "../db/client";
import { videosBetween } from "../overview/summary";

/** A range holding at most this many videos (by video_hourly) is read from video_events by time. */
export const SPARSE_RANGE_VIDEOS = 20_000;
/** ...as long as they come from at most this many keys. */
export const SPARSE_RANGE_KEYS = 2_000;

/**
 * The keys (`keyColumn` of video_events) with a video in a range that ended and holds few videos,
 * or null (the lists then walk their summaries, lib/shared/paging.ts activeBetweenSql). Walking
 * looks up every key active since the range's start that has a video after it: 366 ms for 5 quiet
 * minutes 60 days ago at 1M videos (200,000 senders); reading the range's few videos instead costs
 * what they are.
 */
export async function keysOfSparseRange(db: Db, keyColumn: "conversationId" | "fromWxId", range: { from?: Date; to?: Date }, now = new Date()): Promise<string[] | null> {
  if (!range.from || !range.to || range.to >= now) return null;
  if ((await videosBetween(db, range)).count > SPARSE_RANGE_VIDEOS) return null;
  const rows = await db.$queryRawUnsafe<{ key: string }[]>(
    `SELECT DISTINCT "${keyColumn}" AS key FROM video_events WHERE "sendTime" >= $1 AND "sendTime" <= $2 LIMIT ${SPARSE_RANGE_KEYS + 1}`,
    range.from,
    range.to,
  );
  return rows.length > SPARSE_RANGE_KEYS ? null : rows.map((r) => r.key);
}
