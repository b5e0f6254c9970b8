// Recomputes every summary table from video_events in one transaction. The triggers keep them
// current row by row; this is for bulk loads that skipped the triggers, and for operators who
// suspect drift (it is also the definition the triggers must agree with, see the seed test).
import type { Pool, PoolClient } from "pg";

const REBUILD_SQL = [
  // Writers wait (they do not fail) while the summaries are recomputed, so none is missed.
  `LOCK TABLE video_events IN SHARE MODE`,
  `TRUNCATE conversation_participants, conversation_summaries, sender_nicknames, sender_summaries, video_hourly`,
  `INSERT INTO conversation_participants ("conversationId", "fromWxId", "videoCount", "lastVideoAt")
   SELECT "conversationId", "fromWxId", count(*), max("sendTime") FROM video_events GROUP BY 1, 2`,
  `INSERT INTO conversation_summaries ("conversationId", "videoCount", "totalDuration", "participantCount", "firstVideoAt", "lastVideoAt")
   SELECT v."conversationId", count(*), sum(v.duration), max(p.n), min(v."sendTime"), max(v."sendTime")
   FROM video_events v
   JOIN (SELECT "conversationId", count(*) AS n FROM conversation_participants GROUP BY 1) p USING ("conversationId")
   GROUP BY 1`,
  `INSERT INTO sender_nicknames ("fromWxId", "nickName", "videoCount", "firstSeenAt", "lastSeenAt")
   SELECT "fromWxId", "fromNickName", count(*), min("sendTime"), max("sendTime")
   FROM video_events WHERE "fromNickName" IS NOT NULL GROUP BY 1, 2`,
  `INSERT INTO sender_summaries ("fromWxId", "lastNickName", "videoCount", "totalDuration", "conversationCount", "firstVideoAt", "lastVideoAt")
   SELECT v."fromWxId", latest."nickName", count(*), sum(v.duration), max(p.n), min(v."sendTime"), max(v."sendTime")
   FROM video_events v
   JOIN (SELECT "fromWxId", count(*) AS n FROM conversation_participants GROUP BY 1) p USING ("fromWxId")
   LEFT JOIN (SELECT DISTINCT ON ("fromWxId") "fromWxId", "nickName" FROM sender_nicknames
              ORDER BY "fromWxId", "lastSeenAt" DESC) latest USING ("fromWxId")
   GROUP BY v."fromWxId", latest."nickName"`,
  `INSERT INTO video_hourly (hour, "videoCount", "totalDuration")
   SELECT date_trunc('hour', "sendTime"), count(*), sum(duration) FROM video_events GROUP BY 1`,
];

export async function rebuildSummaries(db: Pool | PoolClient): Promise<void> {
  const client = "release" in db ? db : await db.connect();
  try {
    await client.query("BEGIN");
    for (const sql of REBUILD_SQL) await client.query(sql);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    if (client !== db) client.release();
  }
}
