// Recomputes every summary table from video_events in one transaction. The triggers keep them
// current row by row; this is for bulk loads that skipped the triggers, and for operators who
// suspect drift (it is also the definition the triggers must agree with, see the seed test).
// Every statement is SQL (table locks, TRUNCATE, catalog reads, index DDL) through the client, in
// one interactive transaction.
import type { Db } from "../db/client";

const SUMMARY_TABLES = ["conversation_participants", "conversation_summaries", "sender_nicknames", "sender_summaries", "video_hourly"];

// Measured at 1M videos with 200,000 senders (docs/performance.md): most of the time went to
// maintaining the summary tables' indexes row by row (the gram GIN indexes above all) and to
// aggregating video_events four times with a 4 MB work_mem that spilled. So: video_events is
// read once into a roll-up per (conversation, sender, nickname), which every summary is
// aggregated from; and the summary tables' secondary indexes are dropped and built again after
// the load, in the same transaction (TRUNCATE already holds their exclusive lock until the
// commit, so no reader sees them missing).
const REBUILD_SQL = [
  `CREATE TEMP TABLE summary_rollup ON COMMIT DROP AS
   SELECT "conversationId", "fromWxId", "fromNickName", count(*) AS n, sum(duration) AS duration,
     min("sendTime") AS first, max("sendTime") AS last
   FROM video_events GROUP BY 1, 2, 3`,
  `INSERT INTO conversation_participants ("conversationId", "fromWxId", "videoCount", "lastVideoAt")
   SELECT "conversationId", "fromWxId", sum(n), max(last) FROM summary_rollup GROUP BY 1, 2`,
  `INSERT INTO conversation_summaries ("conversationId", "videoCount", "totalDuration", "participantCount", "firstVideoAt", "lastVideoAt")
   SELECT r."conversationId", sum(r.n), sum(r.duration), max(p.n), min(r.first), max(r.last)
   FROM summary_rollup r
   JOIN (SELECT "conversationId", count(*) AS n FROM conversation_participants GROUP BY 1) p USING ("conversationId")
   GROUP BY 1`,
  `INSERT INTO sender_nicknames ("fromWxId", "nickName", "videoCount", "firstSeenAt", "lastSeenAt")
   SELECT "fromWxId", "fromNickName", sum(n), min(first), max(last)
   FROM summary_rollup WHERE "fromNickName" IS NOT NULL GROUP BY 1, 2`,
  `INSERT INTO sender_summaries ("fromWxId", "lastNickName", "videoCount", "totalDuration", "conversationCount", "firstVideoAt", "lastVideoAt")
   SELECT r."fromWxId", latest."nickName", sum(r.n), sum(r.duration), max(p.n), min(r.first), max(r.last)
   FROM summary_rollup r
   JOIN (SELECT "fromWxId", count(*) AS n FROM conversation_participants GROUP BY 1) p USING ("fromWxId")
   LEFT JOIN (SELECT DISTINCT ON ("fromWxId") "fromWxId", "nickName" FROM sender_nicknames
              ORDER BY "fromWxId", "lastSeenAt" DESC) latest USING ("fromWxId")
   GROUP BY r."fromWxId", latest."nickName"`,
  `INSERT INTO video_hourly (hour, "videoCount", "totalDuration")
   SELECT date_trunc('hour', "sendTime"), count(*), sum(duration) FROM video_events GROUP BY 1`,
];

export type RebuildOptions = {
  /** Told the backend the transaction runs on before its work starts (the seed measures its CPU). */
  onBackend?: (pid: number) => void;
  /** Longest the transaction may take (1M videos took about a minute here). */
  timeoutMs?: number;
};

export async function rebuildSummaries(db: Db, { onBackend, timeoutMs = 3_600_000 }: RebuildOptions = {}): Promise<void> {
  await db.$transaction(
    async (tx) => {
      if (onBackend) onBackend((await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0].pid);
      // Writers wait (they do not fail) while the summaries are recomputed, so none is missed.
      await tx.$executeRawUnsafe("LOCK TABLE video_events IN SHARE MODE");
      await tx.$executeRawUnsafe("SET LOCAL work_mem = '256MB'");
      await tx.$executeRawUnsafe("SET LOCAL maintenance_work_mem = '512MB'");
      await tx.$executeRawUnsafe(`TRUNCATE ${SUMMARY_TABLES.join(", ")}`);
      const indexes = await tx.$queryRaw<{ name: string; definition: string }[]>`
        SELECT i.relname::text AS name, pg_get_indexdef(x.indexrelid) AS definition
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = ANY (${SUMMARY_TABLES}::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`;
      for (const index of indexes) await tx.$executeRawUnsafe(`DROP INDEX "${index.name}"`);
      for (const sql of REBUILD_SQL) await tx.$executeRawUnsafe(sql);
      for (const index of indexes) await tx.$executeRawUnsafe(index.definition);
    },
    // Waiting for a connection too: the seed's other connections may be busy building indexes.
    { timeout: timeoutMs, maxWait: timeoutMs },
  );
}
