// What a conversation is called on screen: the operator's label, else who is in it. The fallback
// comes from the summary tables the triggers keep (conversation_participants, sender_summaries),
// read for a page's conversations in one statement: never a scan of video_events per render.
import type { Db } from "../db/client";
import { labelsOf } from "../labels/labels";

/** Nicknames read per conversation for its fallback name. */
export const NAMED_PARTICIPANTS = 3;

export type ConversationName = {
  /** The operator's label, or null. */
  label: string | null;
  /**
   * Up to NAMED_PARTICIPANTS participants' latest nicknames (blank ones skipped). A participant
   * whose id is part of the conversation id (a private chat `S:wxid_alice` and wxid_alice) comes
   * first: in a private chat that is the other person; then the most active.
   */
  nicknames: string[];
  /** Everyone who sent a video there: the "and N more" of a group's name. */
  participantCount: number;
};

/**
 * Reads each conversation's participants through the primary key's prefix (conversationId,
 * fromWxId) and keeps the top 3: the cost follows the page's conversations and their senders,
 * not their videos.
 */
const NAMES_SQL = `
SELECT c.id AS "conversationId", coalesce(s."participantCount", 0)::int AS "participantCount",
  ARRAY(
    SELECT n."lastNickName" FROM conversation_participants p JOIN sender_summaries n ON n."fromWxId" = p."fromWxId"
    WHERE p."conversationId" = c.id AND btrim(coalesce(n."lastNickName", '')) <> ''
    ORDER BY (p."fromWxId" <> '' AND strpos(c.id, p."fromWxId") > 0) DESC, p."videoCount" DESC, p."fromWxId"
    LIMIT ${NAMED_PARTICIPANTS}
  ) AS nicknames
FROM unnest($1::text[]) AS c(id) LEFT JOIN conversation_summaries s ON s."conversationId" = c.id`;

/** The names of `conversationIds` (each distinct id once). */
export async function conversationNames(db: Db, conversationIds: readonly string[]): Promise<Map<string, ConversationName>> {
  const ids = [...new Set(conversationIds)];
  if (ids.length === 0) return new Map();
  const [rows, labels] = await Promise.all([
    db.$queryRawUnsafe<{ conversationId: string; participantCount: number; nicknames: string[] }[]>(NAMES_SQL, ids),
    labelsOf(db, "conversation", ids),
  ]);
  return new Map(rows.map((r) => [r.conversationId, { label: labels.get(r.conversationId) ?? null, nicknames: r.nicknames, participantCount: r.participantCount }]));
}

/** `items` each with `conversationName` (see ConversationName), read in one go. */
export async function withConversationNames<T extends { conversationId: string }>(db: Db, items: T[]): Promise<(T & { conversationName: ConversationName })[]> {
  const names = await conversationNames(db, items.map((i) => i.conversationId));
  return items.map((i) => ({ ...i, conversationName: names.get(i.conversationId) ?? { label: null, nicknames: [], participantCount: 0 } }));
}
