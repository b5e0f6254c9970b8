// Conversations, read from conversation_summaries (kept by triggers): never an aggregate over
// video_events.
import type { Pool } from "pg";
import { afterTimeKeySql, summaryPage, type SummaryQuery } from "../shared/paging";
import { bind } from "../shared/sql";
import { conversationKind } from "../videos/item";
import { containsSql, findMatching } from "../videos/search";

type ConversationRow = {
  conversationId: string;
  videoCount: number;
  totalDuration: number;
  participantCount: number;
  firstVideoAt: Date;
  lastVideoAt: Date;
};

const COLUMNS = `"conversationId", "videoCount", "totalDuration"::float8 AS "totalDuration", "participantCount", "firstVideoAt", "lastVideoAt"`;

function toConversation(r: ConversationRow) {
  return {
    conversationId: r.conversationId,
    conversationKind: conversationKind(r.conversationId),
    videoCount: r.videoCount,
    totalDuration: r.totalDuration,
    participantCount: r.participantCount,
    firstVideoAt: r.firstVideoAt.toISOString(),
    lastVideoAt: r.lastVideoAt.toISOString(),
  };
}

export type Conversation = ReturnType<typeof toConversation>;

export async function listConversations(db: Pool, query: SummaryQuery) {
  const params: unknown[] = [];
  const where = [afterTimeKeySql(query.cursor, "conversationId", params)];
  if (query.q) {
    // As for senders (lib/senders/list.ts): few matches by key, many by walking the index.
    const matched = (await findMatching(db, "conversations", query.q))?.keys;
    const p = bind(params, matched ?? query.q);
    where.push(matched ? `"conversationId" = ANY(${p}::text[])` : containsSql(`"conversationId"`, p));
  }
  const { rows } = await db.query<ConversationRow>(
    `SELECT ${COLUMNS} FROM conversation_summaries WHERE ${where.join(" AND ")}
     ORDER BY "lastVideoAt" DESC, "conversationId" ASC LIMIT ${bind(params, query.limit + 1)}`,
    params,
  );
  return summaryPage(rows, query.limit, (r) => r.conversationId, toConversation);
}

export type Participant = { fromWxId: string; nickName: string | null; videoCount: number; lastVideoAt: string };

/** One conversation's summary and its participants (most active first), or null. */
export async function getConversation(db: Pool, conversationId: string) {
  const { rows } = await db.query<ConversationRow>(`SELECT ${COLUMNS} FROM conversation_summaries WHERE "conversationId" = $1`, [conversationId]);
  if (!rows[0]) return null;
  const participants = await db.query<{ fromWxId: string; nickName: string | null; videoCount: number; lastVideoAt: Date }>(
    `SELECT p."fromWxId", s."lastNickName" AS "nickName", p."videoCount", p."lastVideoAt"
     FROM conversation_participants p LEFT JOIN sender_summaries s ON s."fromWxId" = p."fromWxId"
     WHERE p."conversationId" = $1 ORDER BY p."videoCount" DESC, p."fromWxId" LIMIT 200`,
    [conversationId],
  );
  return {
    ...toConversation(rows[0]),
    participants: participants.rows.map((p): Participant => ({ ...p, lastVideoAt: p.lastVideoAt.toISOString() })),
  };
}
