// The videos on either side of one, in the lists' order (newest first), for previous/next.
// Two index range scans on (sendTime, id): the bounds are bind parameters, so the planner
// seeks straight to them instead of walking the index from one end.
import type { Pool } from "pg";
import { isBigintId } from "../shared/paging";

export async function adjacentVideos(db: Pool, id: string): Promise<{ newer: string | null; older: string | null }> {
  if (!isBigintId(id)) return { newer: null, older: null };
  const me = await db.query<{ sendTime: Date }>(`SELECT "sendTime" FROM video_events WHERE id = $1::bigint`, [id]);
  if (!me.rows[0]) return { newer: null, older: null };
  const { rows } = await db.query<{ newer: string | null; older: string | null }>(
    `SELECT (SELECT id::text FROM video_events WHERE ("sendTime", id) > ($1, $2::bigint) ORDER BY "sendTime", id LIMIT 1) AS newer,
            (SELECT id::text FROM video_events WHERE ("sendTime", id) < ($1, $2::bigint) ORDER BY "sendTime" DESC, id DESC LIMIT 1) AS older`,
    [me.rows[0].sendTime, id],
  );
  return rows[0];
}
