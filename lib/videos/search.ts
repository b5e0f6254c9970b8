// Free-text search (`q`): a case-insensitive substring of the sender id, of any nickname the
// sender ever used, of the conversation id, or of the label an operator gave the conversation or
// the robot (lib/labels). Newest first, keyset pages, like every list.
//
// One meaning, two plans, chosen per term by how many senders and conversations it matches in the
// summary tables (found through their gram indexes, see the 20261129130000_search_grams migration):
// - few (a rare id, an id prefix, a group's number): the newest page of each, read through the
//   sender and conversation indexes (index-only), merged, and only the page's rows fetched;
//   the cost follows the number of matches, never their videos.
// - many (`wxid_`, a common surname): the newest videos in time order, each tested directly;
//   a common term meets its page within the first few thousand rows.
// docs/performance.md has the figures that set MAX_LISTED.
import type { Db } from "../db/client";
import { keysLabelled, labelMatchSql } from "../labels/labels";

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
    OR video_events."fromWxId" IN (SELECT "fromWxId" FROM sender_nicknames WHERE ${indexedMatchSql(`"nickName"`, term)})
    OR ${labelMatchSql("conversation", `video_events."conversationId"`, term)} OR ${labelMatchSql("robot", `video_events."robotId"`, term)})`;
}

/**
 * The substring test for a column that has a search_grams GIN index (the summary tables): the
 * index finds the candidates, the substring test keeps the true ones.
 */
export function indexedMatchSql(column: string, term: string): string {
  return `search_grams(${column}) @> search_term_grams(${term}) AND ${containsSql(column, term)}`;
}

/**
 * The senders and conversations `q` matches, and for each the time of its last video as its
 * summary row has it (ms; absent when unknown). That time never falls below the newest video the
 * key really has: inserts raise it, and deletes leave it (the delete trigger keeps first/last
 * times as seen), so it bounds from above what reading the key can give.
 */
export type TextMatches = { senders: string[]; conversations: string[]; lastVideoAt?: Map<string, number>; videos?: number };

const MATCHING_SQL = {
  senders: (limit: string) => `
    (SELECT "fromWxId" AS key, "videoCount" AS videos, "lastVideoAt" AS last FROM sender_summaries WHERE ${indexedMatchSql(`"fromWxId"`, "$1")} ${limit})
    UNION ALL (SELECT n."fromWxId", n."videoCount", s."lastVideoAt" FROM sender_nicknames n LEFT JOIN sender_summaries s USING ("fromWxId")
      WHERE ${indexedMatchSql(`n."nickName"`, "$1")} ${limit})`,
  // A conversation by its id, or by the label an operator gave it (a scan of the few labels).
  conversations: (limit: string) => `
    (SELECT "conversationId" AS key, "videoCount" AS videos, "lastVideoAt" AS last FROM conversation_summaries WHERE ${indexedMatchSql(`"conversationId"`, "$1")} ${limit})
    UNION ALL (SELECT s."conversationId", s."videoCount", s."lastVideoAt" FROM conversation_summaries s
      WHERE ${labelMatchSql("conversation", `s."conversationId"`, "$1")} ${limit})`,
};

type Matching = { keys: string[]; videos: number; lastVideoAt: Map<string, number> };

/**
 * The senders (by id or any nickname) or the conversations `q` matches and about how many videos
 * they have, or null when there are more than `max`. A common term (wxid_ matches every sender)
 * is recognised from the planner's estimate (the statistics ANALYZE keeps on the gram indexes)
 * without reading its matches: building the index's bitmap of 200,000 senders alone costs more
 * than walking the time index to the page. An estimate is trusted only to say "many"; a term
 * estimated few is looked up, at most max + 1, and counted.
 */
export async function findMatching(db: Db, kind: keyof typeof MATCHING_SQL, q: string, max = MAX_LISTED): Promise<Matching | null> {
  const [{ "QUERY PLAN": [plan] }] = await db.$queryRawUnsafe<{ "QUERY PLAN": { Plan: { "Plan Rows": number } }[] }[]>(
    `EXPLAIN (FORMAT JSON) ${MATCHING_SQL[kind]("")}`,
    q,
  );
  // The estimate runs low, never high, on these gram indexes: at 10M videos (200,000 senders) 71
  // terms were estimated 2.6 to 3.4 times below their real count, and every term estimated above
  // 900 matched at least 2,500. So above max / 2 the term is common: no lookup of 2,001 keys (30 to
  // 40 ms) only to walk afterwards. Below, it is looked up and counted.
  if (plan.Plan["Plan Rows"] > max / 2) return null;
  const rows = await db.$queryRawUnsafe<{ key: string; videos: number; last: Date | null }[]>(MATCHING_SQL[kind](`LIMIT ${max + 1}`), q);
  const keys = [...new Set(rows.map((r) => r.key))];
  const lastVideoAt = new Map<string, number>();
  for (const r of rows) if (r.last) lastVideoAt.set(r.key, r.last.getTime());
  return keys.length > max ? null : { keys, videos: rows.reduce((sum, r) => sum + r.videos, 0), lastVideoAt };
}

/**
 * What one matched sender or conversation costs the listing plan (an index descent and its newest
 * rows), in rows walked along the time index (a heap fetch and a test each): measured between 5
 * and 25 on the 1M seed, depending on the cache; the walk's heap reads get dearer as the table
 * outgrows memory.
 */
const LISTED_COST_IN_WALKED_ROWS = 10;
const PAGE_ROWS = 50;

/**
 * The senders and conversations to read `q`'s page through, or null to walk the time index: when
 * they are more than `max`, or when the walk, which meets a match every total/matched rows,
 * reaches a page sooner (`compare: false` skips that comparison, for tests of the listing plan).
 */
export async function findTextMatches(db: Db, q: string, options: { max?: number; compare?: boolean } = {}): Promise<TextMatches | null> {
  const max = options.max ?? MAX_LISTED;
  const [senders, conversations, total, robots] = await Promise.all([
    findMatching(db, "senders", q, max),
    findMatching(db, "conversations", q, max),
    db.$queryRaw<{ n: number }[]>`SELECT coalesce(sum("videoCount"), 0)::float8 AS n FROM video_hourly`,
    keysLabelled(db, "robot", q, 1),
  ]);
  // A robot named by `q` is read by walking: a robot carries a large share of the videos (a fleet
  // is a few robots), so its page is met early in time order, as for a common term.
  if (!senders || !conversations || robots.length > 0) return null;
  const listed = senders.keys.length + conversations.keys.length;
  const walkedRows = (PAGE_ROWS * total[0].n) / Math.max(1, senders.videos + conversations.videos);
  if (listed > max || (options.compare !== false && listed * LISTED_COST_IN_WALKED_ROWS > walkedRows)) return null;
  return {
    senders: senders.keys,
    conversations: conversations.keys,
    lastVideoAt: new Map([...senders.lastVideoAt, ...conversations.lastVideoAt]),
    // At most this many videos (one in both a matched sender and a matched conversation counts twice).
    videos: senders.videos + conversations.videos,
  };
}

/** Keys read first beyond the page's rows: a few spare for keys whose last video was deleted. */
const SPARE_KEYS = 10;

/**
 * The newest `limit` rows of the matched keys (as `read` returns them, newest first), reading as
 * few keys as it can. Each key's index descent was the listing plan's cost (hundreds of senders
 * for a 7-character id prefix at 10M videos); but the page holds at most `limit` videos, so at
 * most `limit` keys whose last video is newest can place one on it. So the keys with the newest
 * last videos are read first; a key left out is read only if its last video is not older than
 * the page's last row (its last video bounds all it holds, see TextMatches). Exact for any
 * filter or cursor in `read`: they only remove rows, never add newer ones.
 */
export async function newestOfMatches<Row extends { sendTime: Date }>(
  matches: TextMatches,
  limit: number,
  read: (subset: TextMatches) => Promise<Row[]>,
  spareKeys = SPARE_KEYS,
): Promise<Row[]> {
  const keyed = byLastVideo(matches);
  const first = keyed.slice(0, limit + spareKeys);
  if (first.length === keyed.length) return read(matches);
  const rows = await read(keysOf(first));
  // Fewer rows than a page: any other key may hold the rest.
  if (rows.length < limit) return read(matches);
  const oldestOnPage = rows[limit - 1].sendTime.getTime();
  const more = keyed.slice(first.length).filter((k) => k.last >= oldestOnPage);
  return more.length === 0 ? rows : read(keysOf([...first, ...more]));
}

/** The keys newestOfMatches reads first for a page of `limit` rows (the queries bench explains them). */
export function firstReadOf(matches: TextMatches, limit: number): TextMatches {
  return keysOf(byLastVideo(matches).slice(0, limit + SPARE_KEYS));
}

type KeyedMatch = { key: string; sender: boolean; last: number };

/** Every matched key, the newest last video first (an unknown time first of all). */
function byLastVideo(matches: TextMatches): KeyedMatch[] {
  const last = matches.lastVideoAt ?? new Map<string, number>();
  return [
    ...matches.senders.map((key) => ({ key, sender: true, last: last.get(key) ?? Infinity })),
    ...matches.conversations.map((key) => ({ key, sender: false, last: last.get(key) ?? Infinity })),
  ].sort((a, b) => b.last - a.last);
}

function keysOf(keys: KeyedMatch[]): TextMatches {
  return { senders: keys.filter((k) => k.sender).map((k) => k.key), conversations: keys.filter((k) => !k.sender).map((k) => k.key) };
}

/** An order of the listing plan: the key's expression over video_events, and its direction (ties by id, the same way). */
export type MatchOrder = { key: string; direction: "ASC" | "DESC" };
const NEWEST_FIRST: MatchOrder = { key: `video_events."sendTime"`, direction: "DESC" };

/**
 * SELECT `columns` of the first `limit` videos in `order` (newest first by default) of the listed
 * senders and conversations that also satisfy `where` (the other filters and the cursor, over
 * video_events unaliased). `bind` appends a value to the statement's parameters and returns its
 * placeholder. In an order other than time each key's rows are sorted, not read from an index:
 * lib/videos/list.ts uses it only for a few thousand matched videos.
 */
export function matchedVideosSql(
  columns: string,
  where: string,
  matches: TextMatches,
  limit: string,
  bind: (value: unknown) => string,
  order: MatchOrder = NEWEST_FIRST,
): string {
  const by = (key: string, id: string) => `${key} ${order.direction}, ${id} ${order.direction}`;
  const firstOf = (column: string, ids: string) => `SELECT t."sendTime", t.id, t.k FROM unnest(${ids}::text[]) AS m(key)
    CROSS JOIN LATERAL (SELECT video_events."sendTime", video_events.id, ${order.key} AS k FROM video_events
      WHERE video_events.${column} = m.key AND ${where}
      ORDER BY ${by(order.key, "video_events.id")} LIMIT ${limit}) t`;
  // UNION ALL and twice the page: a video found through both its sender and its conversation
  // appears twice, so the first 2 x limit hold the first `limit` distinct ones, and the IN drops
  // the repeats (a UNION would hash every row read, a third of the time on 667 senders).
  return `SELECT ${columns} FROM video_events WHERE (video_events."sendTime", video_events.id) IN (
      SELECT "sendTime", id FROM (${firstOf(`"fromWxId"`, bind(matches.senders))}
        UNION ALL ${firstOf(`"conversationId"`, bind(matches.conversations))}) page
      ORDER BY ${by("k", "id")} LIMIT 2 * ${limit})
    ORDER BY ${by(order.key, "video_events.id")} LIMIT ${limit}`;
}
