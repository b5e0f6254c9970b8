// Conversations, read from conversation_summaries (kept by triggers): never an aggregate over
// video_events.
import type { Db } from "../db/client";
import { activeBetweenSql, afterTimeKeySql, summaryPage, type SummaryQuery } from "../shared/paging";
import { keysOfSparseRange } from "../shared/range";
import { bind } from "../shared/sql";
import { conversationKind } from "../videos/item";
import { containsSql, findMatching } from "../videos/search";
import { labelMatchSql } from "../labels/labels";
import { conversationNames, withConversationNames, type ConversationName } from "./names";

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

export type Conversation = ReturnType<typeof toConversation> & { conversationName: ConversationName };

export async function listConversations(db: Db, query: SummaryQuery) {
  const params: unknown[] = [];
  const where = [afterTimeKeySql(query.cursor, "conversationId", params), activeBetweenSql("conversation_summaries", "conversationId", query, params)];
  const inRange = await keysOfSparseRange(db, "conversationId", query);
  if (inRange) where.push(`"conversationId" = ANY(${bind(params, inRange)}::text[])`);
  if (query.q) {
    // As for senders (lib/senders/list.ts): few matches by key, many by walking the index.
    const matched = (await findMatching(db, "conversations", query.q))?.keys;
    const p = bind(params, matched ?? query.q);
    where.push(matched ? `"conversationId" = ANY(${p}::text[])` : `(${containsSql(`"conversationId"`, p)} OR ${labelMatchSql("conversation", `"conversationId"`, p)})`);
  }
  const rows = await db.$queryRawUnsafe<ConversationRow[]>(
    `SELECT ${COLUMNS} FROM conversation_summaries WHERE ${where.join(" AND ")}
     ORDER BY "lastVideoAt" DESC, "conversationId" ASC LIMIT ${bind(params, query.limit + 1)}`,
    ...params,
  );
  const page = summaryPage(rows, query.limit, (r) => r.conversationId, toConversation);
  return { ...page, items: await withConversationNames(db, page.items) };
}

export type Participant = { fromWxId: string; nickName: string | null; videoCount: number; lastVideoAt: string };

/** One conversation's summary and its participants (most active first), or null. */
export async function getConversation(db: Db, conversationId: string) {
  const [summary, names] = await Promise.all([db.conversationSummary.findUnique({ where: { conversationId } }), conversationNames(db, [conversationId])]);
  if (!summary) return null;
  // Participants' nicknames come from sender_summaries, which the schema relates to nothing: SQL.
  const participants = await db.$queryRaw<{ fromWxId: string; nickName: string | null; videoCount: number; lastVideoAt: Date }[]>`
    SELECT p."fromWxId", s."lastNickName" AS "nickName", p."videoCount", p."lastVideoAt"
    FROM conversation_participants p LEFT JOIN sender_summaries s ON s."fromWxId" = p."fromWxId"
    WHERE p."conversationId" = ${conversationId} ORDER BY p."videoCount" DESC, p."fromWxId" LIMIT 200`;
  return {
    ...toConversation({ ...summary, totalDuration: Number(summary.totalDuration) }),
    conversationName: names.get(conversationId)!,
    participants: participants.map((p): Participant => ({ ...p, lastVideoAt: p.lastVideoAt.toISOString() })),
  };
}
