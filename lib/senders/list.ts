// Senders, read from sender_summaries and their nickname history from sender_nicknames.
import type { Db } from "../db/client";
import { activeBetweenSql, afterTimeKeySql, summaryPage, type SummaryQuery } from "../shared/paging";
import { keysOfSparseRange } from "../shared/range";
import { bind } from "../shared/sql";
import { conversationKind } from "../videos/item";
import { withConversationNames } from "../conversations/names";
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
export async function listSenders(db: Db, query: SummaryQuery) {
  const params: unknown[] = [];
  const where = [afterTimeKeySql(query.cursor, "fromWxId", params), activeBetweenSql("sender_summaries", "fromWxId", query, params)];
  const inRange = await keysOfSparseRange(db, "fromWxId", query);
  if (inRange) where.push(`"fromWxId" = ANY(${bind(params, inRange)}::text[])`);
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
  const rows = await db.$queryRawUnsafe<SenderRow[]>(
    `SELECT ${COLUMNS} FROM sender_summaries WHERE ${where.join(" AND ")}
     ORDER BY "lastVideoAt" DESC, "fromWxId" ASC LIMIT ${bind(params, query.limit + 1)}`,
    ...params,
  );
  return summaryPage(rows, query.limit, (r) => r.fromWxId, toSender);
}

/** One sender: summary, every nickname seen (latest first) and their conversations, or null. */
export async function getSender(db: Db, fromWxId: string) {
  const summary = await db.senderSummary.findUnique({ where: { fromWxId } });
  if (!summary) return null;
  const [nicknames, conversations] = await Promise.all([
    db.senderNickname.findMany({
      where: { fromWxId },
      select: { nickName: true, videoCount: true, firstSeenAt: true, lastSeenAt: true },
      orderBy: { lastSeenAt: "desc" },
      take: 100,
    }),
    db.conversationParticipant.findMany({
      where: { fromWxId },
      select: { conversationId: true, videoCount: true, lastVideoAt: true },
      orderBy: { lastVideoAt: "desc" },
      take: 200,
    }),
  ]);
  return {
    ...toSender({ ...summary, totalDuration: Number(summary.totalDuration) }),
    nicknames: nicknames.map((n) => ({ ...n, firstSeenAt: n.firstSeenAt.toISOString(), lastSeenAt: n.lastSeenAt.toISOString() })),
    conversations: await withConversationNames(
      db,
      conversations.map((c) => ({ ...c, conversationKind: conversationKind(c.conversationId), lastVideoAt: c.lastVideoAt.toISOString() })),
    ),
  };
}
