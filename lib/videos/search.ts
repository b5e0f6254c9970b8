// Free-text search (`q`): a case-insensitive substring of the sender id, of any nickname the
// sender ever used, or of the conversation id. Newest first, keyset pages, like every list.
//
// One meaning, two plans, chosen per term by how many senders and conversations it matches in the
// summary tables (found through their gram indexes, see the 20261129130000_search_grams migration):
// - few (a rare id, an id prefix, a group's number): the newest page of each, read through the
//   sender and conversation indexes (index-only), merged, and only the page's rows fetched;
//   the cost follows the number of matches, never their videos.
// - many (`wxid_`, a common surname): the newest videos in time order, each tested directly;
//   a common term meets its page within the first few thousand rows.
// docs/performance.md has the figures that set MAX_LISTED.
import type { Pool } from "pg";

/** Above this many matching senders + conversations, walking the time index is cheaper. */
export const MAX_LISTED = 2000;

/** `strpos(lower(column), lower(term)) > 0`: the substring test, with no LIKE wildcard to escape. */
export function containsSql(column: string, term: string): string {
  return `strpos(lower(${column}), lower(${term})) > 0`;
}

/**
 * The row-level test of `q` (bind parameter `term`) over video_events, unaliased: for the time
 * walk and the export. The row's own nickname is tested first (it is one of the sender's); the
 * sender's other nicknames come from sender_nicknames through its gram index, once per statement
 * (a hashed subplan), and only when a row needs them.
 */
export function textMatchSql(term: string): string {
  return `(${containsSql(`video_events."fromWxId"`, term)} OR ${containsSql(`video_events."conversationId"`, term)}
    OR ${containsSql(`video_events."fromNickName"`, term)}
    OR video_events."fromWxId" IN (SELECT "fromWxId" FROM sender_nicknames WHERE ${indexedMatchSql(`"nickName"`, term)}))`;
}

/**
 * The substring test for a column that has a search_grams GIN index (the summary tables): the
 * index finds the candidates, the substring test keeps the true ones.
 */
export function indexedMatchSql(column: string, term: string): string {
  return `search_grams(${column}) @> search_term_grams(${term}) AND ${containsSql(column, term)}`;
}

export type TextMatches = { senders: string[]; conversations: string[] };

const MATCHING_SQL = {
  senders: (limit: string) => `
    (SELECT "fromWxId" AS key FROM sender_summaries WHERE ${indexedMatchSql(`"fromWxId"`, "$1")} ${limit})
    UNION ALL (SELECT "fromWxId" FROM sender_nicknames WHERE ${indexedMatchSql(`"nickName"`, "$1")} ${limit})`,
  conversations: (limit: string) => `SELECT "conversationId" AS key FROM conversation_summaries WHERE ${indexedMatchSql(`"conversationId"`, "$1")} ${limit}`,
};

/**
 * The senders (by id or any nickname) or the conversations `q` matches, or null when there are
 * more than `max`. A common term (wxid_ matches every sender) is recognised from the planner's
 * estimate (the statistics ANALYZE keeps on the gram indexes) without reading its matches:
 * building the index's bitmap of 200,000 senders alone costs more than walking the time index to
 * the page. An estimate is trusted only to say "many"; a term estimated few is looked up, at most
 * max + 1, and counted.
 */
export async function findMatching(db: Pool, kind: keyof typeof MATCHING_SQL, q: string, max = MAX_LISTED): Promise<string[] | null> {
  const { rows: [{ "QUERY PLAN": [plan] }] } = await db.query<{ "QUERY PLAN": { Plan: { "Plan Rows": number } }[] }>(
    `EXPLAIN (FORMAT JSON) ${MATCHING_SQL[kind]("")}`,
    [q],
  );
  if (plan.Plan["Plan Rows"] > 2 * max) return null;
  const { rows } = await db.query<{ key: string }>(MATCHING_SQL[kind](`LIMIT ${max + 1}`), [q]);
  const keys = [...new Set(rows.map((r) => r.key))];
  return keys.length > max ? null : keys;
}

/** The senders and conversations `q` matches, or null when there are more than `max` in all. */
export async function findTextMatches(db: Pool, q: string, max = MAX_LISTED): Promise<TextMatches | null> {
  const [senders, conversations] = await Promise.all([findMatching(db, "senders", q, max), findMatching(db, "conversations", q, max)]);
  if (!senders || !conversations || senders.length + conversations.length > max) return null;
  return { senders, conversations };
}

/**
 * SELECT `columns` of the newest `limit` videos of the listed senders and conversations that also
 * satisfy `where` (the other filters and the cursor, over video_events unaliased), newest first.
 * `bind` appends a value to the statement's parameters and returns its placeholder.
 */
export function matchedVideosSql(
  columns: string,
  where: string,
  matches: TextMatches,
  limit: string,
  bind: (value: unknown) => string,
): string {
  const newestOf = (column: string, ids: string) => `SELECT t."sendTime", t.id FROM unnest(${ids}::text[]) AS m(key)
    CROSS JOIN LATERAL (SELECT video_events."sendTime", video_events.id FROM video_events
      WHERE video_events.${column} = m.key AND ${where}
      ORDER BY video_events."sendTime" DESC, video_events.id DESC LIMIT ${limit}) t`;
  return `SELECT ${columns} FROM video_events WHERE (video_events."sendTime", video_events.id) IN (
      SELECT "sendTime", id FROM (${newestOf(`"fromWxId"`, bind(matches.senders))}
        UNION ${newestOf(`"conversationId"`, bind(matches.conversations))}) page
      ORDER BY "sendTime" DESC, id DESC LIMIT ${limit})
    ORDER BY video_events."sendTime" DESC, video_events.id DESC`;
}
