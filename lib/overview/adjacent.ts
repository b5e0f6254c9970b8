// The videos on either side of one, in the lists' order (newest first), for previous/next.
import type { Pool } from "pg";
import { isBigintId } from "../videos/list";

export async function adjacentVideos(db: Pool, id: string): Promise<{ newer: string | null; older: string | null }> {
  if (!isBigintId(id)) return { newer: null, older: null };
  const { rows } = await db.query<{ newer: string | null; older: string | null }>(
    `WITH me AS (SELECT "sendTime", id FROM video_events WHERE id = $1::bigint)
     SELECT (SELECT v.id::text FROM video_events v, me WHERE (v."sendTime", v.id) > (me."sendTime", me.id) ORDER BY v."sendTime", v.id LIMIT 1) AS newer,
            (SELECT v.id::text FROM video_events v, me WHERE (v."sendTime", v.id) < (me."sendTime", me.id) ORDER BY v."sendTime" DESC, v.id DESC LIMIT 1) AS older`,
    [id],
  );
  return rows[0] ?? { newer: null, older: null };
}
