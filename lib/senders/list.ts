// Senders, read from sender_summaries and their nickname history from sender_nicknames.
import type { Pool } from "pg";
import { afterTimeKeySql, summaryPage, type SummaryQuery } from "../shared/paging";
import { bind } from "../shared/sql";
import { conversationKind } from "../videos/item";
import { containsSql, findMatching, indexedMatchSql } from "../videos/search";

type SenderRow = {
  fromWxId: string;
  lastNickName: string | null;
  videoCount: number;
  totalDuration: number;
  conversationCount: number;
  firstVideoAt: Date;
  lastVideoAt: Date;
};

const COLUMNS = `"fromWxId", "lastNickName", "videoCount", "totalDuration"::float8 AS "totalDuration", "conversationCount", "firstVideoAt", "lastVideoAt"`;

function toSender(r: SenderRow) {
  return {
    fromWxId: r.fromWxId,
    nickName: r.lastNickName,
    videoCount: r.videoCount,
    totalDuration: r.totalDuration,
    conversationCount: r.conversationCount,
    firstVideoAt: r.firstVideoAt.toISOString(),
    lastVideoAt: r.lastVideoAt.toISOString(),
  };
}

export type Sender = ReturnType<typeof toSender>;

/** `q` matches the sender id or any nickname the sender ever used. */
export async function listSenders(db: Pool, query: SummaryQuery) {
  const params: unknown[] = [];
  const where = [afterTimeKeySql(query.cursor, "fromWxId", params)];
  if (query.q) {
    // Few matches: those senders by their key. Many: the page is met early walking the
    // last-video index, each row tested (see lib/videos/search.ts for the figures).
    const matched = (await findMatching(db, "senders", query.q))?.keys;
    const p = bind(params, matched ?? query.q);
    where.push(
      matched
        ? `"fromWxId" = ANY(${p}::text[])`
        : `(${containsSql(`"fromWxId"`, p)} OR ${containsSql(`"lastNickName"`, p)}
            OR "fromWxId" IN (SELECT "fromWxId" FROM sender_nicknames WHERE ${indexedMatchSql(`"nickName"`, p)}))`,
    );
  }
  const { rows } = await db.query<SenderRow>(
    `SELECT ${COLUMNS} FROM sender_summaries WHERE ${where.join(" AND ")}
     ORDER BY "lastVideoAt" DESC, "fromWxId" ASC LIMIT ${bind(params, query.limit + 1)}`,
    params,
  );
  return summaryPage(rows, query.limit, (r) => r.fromWxId, toSender);
}

/** One sender: summary, every nickname seen (latest first) and their conversations, or null. */
export async function getSender(db: Pool, fromWxId: string) {
  const { rows } = await db.query<SenderRow>(`SELECT ${COLUMNS} FROM sender_summaries WHERE "fromWxId" = $1`, [fromWxId]);
  if (!rows[0]) return null;
  const [nicknames, conversations] = await Promise.all([
    db.query<{ nickName: string; videoCount: number; firstSeenAt: Date; lastSeenAt: Date }>(
      `SELECT "nickName", "videoCount", "firstSeenAt", "lastSeenAt" FROM sender_nicknames
       WHERE "fromWxId" = $1 ORDER BY "lastSeenAt" DESC LIMIT 100`,
      [fromWxId],
    ),
    db.query<{ conversationId: string; videoCount: number; lastVideoAt: Date }>(
      `SELECT "conversationId", "videoCount", "lastVideoAt" FROM conversation_participants
       WHERE "fromWxId" = $1 ORDER BY "lastVideoAt" DESC LIMIT 200`,
      [fromWxId],
    ),
  ]);
  return {
    ...toSender(rows[0]),
    nicknames: nicknames.rows.map((n) => ({ ...n, firstSeenAt: n.firstSeenAt.toISOString(), lastSeenAt: n.lastSeenAt.toISOString() })),
    conversations: conversations.rows.map((c) => ({
      ...c,
      conversationKind: conversationKind(c.conversationId),
      lastVideoAt: c.lastVideoAt.toISOString(),
    })),
  };
}
