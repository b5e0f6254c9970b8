// The videos on either side of one within a context, for ← →, "older/newer" and "play all": a
// conversation, a sender, a search's filters, or every video (NO_FILTERS). Lists' order is
// (sendTime, id); the neighbours are two keyset range scans that start at the video, so a
// conversation or a sender reads its own index (video_events_conversation_idx, _sender_idx) from
// that point, and all videos the time index: never an OFFSET, never a count.
import type { Db } from "../db/client";
import { isBigintId } from "../shared/paging";
import { bind } from "../shared/sql";
import { NO_FILTERS, videoWhereSql, type VideoFilters } from "./filters";

export type Neighbours = { newer: string | null; older: string | null };

const NONE: Neighbours = { newer: null, older: null };

/**
 * The next newer and next older video matching `filters`, by (sendTime, id). The video itself need
 * not match them (one deleted from a search's results still has neighbours); an unknown id has none.
 */
export async function neighbourVideos(db: Db, id: string, filters: VideoFilters = NO_FILTERS): Promise<Neighbours> {
  if (!isBigintId(id)) return NONE;
  const me = await db.videoEvent.findUnique({ where: { id: BigInt(id) }, select: { sendTime: true } });
  if (!me) return NONE;
  const params: unknown[] = [];
  const where = videoWhereSql(filters, params);
  const at = `(${bind(params, me.sendTime)}::timestamptz, ${bind(params, id)}::bigint)`;
  const [row] = await db.$queryRawUnsafe<Neighbours[]>(
    `SELECT (SELECT id::text FROM video_events WHERE ${where} AND ("sendTime", id) > ${at} ORDER BY "sendTime", id LIMIT 1) AS newer,
            (SELECT id::text FROM video_events WHERE ${where} AND ("sendTime", id) < ${at} ORDER BY "sendTime" DESC, id DESC LIMIT 1) AS older`,
    ...params,
  );
  return row;
}
