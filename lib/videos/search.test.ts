// The search against its definition: for random small histories (CJK, emoji, LIKE's own `%`, `_`
// and `\` in ids and nicknames, renamed senders, shared send times), every page of `q` equals a
// brute-force substring match over every row, whichever plan answers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { NO_FILTERS } from "./filters";
import { decodeTimeIdCursor, type TimeIdCursor } from "../shared/paging";
import { listVideos } from "./list";
import { newestOfMatches, type TextMatches } from "./search";

const db = useTestDatabase();

// Upper and lower case (the match ignores case), characters LIKE treats specially, CJK, emoji
// (a surrogate pair in JavaScript, one character in PostgreSQL), a space.
const CHARS = ["a", "A", "b", "B", "x", "_", "%", "\\", "张", "王", "伟", "🐼", "😀", " ", "1"];
const text = (min: number, max: number) => fc.array(fc.constantFrom(...CHARS), { minLength: min, maxLength: max }).map((c) => c.join(""));

type Row = { fromWxId: string; nickName: string | null; conversationId: string; second: number; out: boolean; deleted: boolean };
const rowArb = fc.record({
  fromWxId: fc.constantFrom("wx_a", "wx_B", "w%_\\", "张三", "🐼id"),
  nickName: fc.option(text(1, 5), { nil: null }),
  conversationId: fc.oneof(text(1, 6), fc.constantFrom("R:1_%@chatroom", "S:王🐼")),
  second: fc.integer({ min: 0, max: 5 }),
  out: fc.boolean(),
  // Deleted after loading: the summaries keep a deleted video's time as their last (see TextMatches).
  deleted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

type Stored = Row & { id: string };

/** The definition: the term is in the id, the conversation, or any nickname the sender used. */
function bruteForce(rows: Stored[], q: string, direction?: "in" | "out"): string[] {
  const term = q.toLowerCase();
  const has = (s: string | null) => s !== null && s.toLowerCase().includes(term);
  const nicknames = new Map<string, (string | null)[]>();
  for (const r of rows) nicknames.set(r.fromWxId, [...(nicknames.get(r.fromWxId) ?? []), r.nickName]);
  return rows
    .filter((r) => has(r.fromWxId) || has(r.conversationId) || nicknames.get(r.fromWxId)!.some(has))
    .filter((r) => !direction || (direction === "out") === r.out)
    .sort((a, b) => b.second - a.second || Number(BigInt(b.id) - BigInt(a.id)))
    .map((r) => r.id);
}

async function load(rows: Row[]): Promise<Stored[]> {
  await db.pool.query("TRUNCATE video_events, conversation_participants, conversation_summaries, sender_nicknames, sender_summaries, video_hourly CASCADE");
  const { rows: ids } = await db.pool.query<{ id: string }>(
    `INSERT INTO video_events ("messageKey", "robotId", "fromWxId", "fromNickName", "conversationId", "messageSource", "cdnType", width, height, duration, "sendTime", "cdnUrl", raw)
     SELECT 'k' || o, 'r', f, n, c, CASE WHEN out THEN 1 ELSE 0 END, 2, 1, 1, 1, timestamptz '2030-01-01' + s * interval '1 second', 'https://x', '{}'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bool[]) WITH ORDINALITY AS t(f, n, c, s, out, o) ORDER BY o
     RETURNING id::text`,
    [rows.map((r) => r.fromWxId), rows.map((r) => r.nickName), rows.map((r) => r.conversationId), rows.map((r) => r.second), rows.map((r) => r.out)],
  );
  const stored = rows.map((r, i) => ({ ...r, id: ids[i].id }));
  await db.pool.query(`DELETE FROM video_events WHERE id = ANY($1::bigint[])`, [stored.filter((r) => r.deleted).map((r) => r.id)]);
  return stored.filter((r) => !r.deleted);
}

/** Every page of the search, three at a time, through the cursors it hands out. */
async function searchAll(q: string, direction: "in" | "out" | undefined, plan: "list" | "walk" | undefined): Promise<string[]> {
  const seen: string[] = [];
  let cursor: TimeIdCursor | undefined;
  for (let pages = 0; pages < 50; pages++) {
    // No spare keys: with a few rows, the listing plan's first read already leaves keys out.
    const page = await listVideos(db.client, { ...NO_FILTERS, q, direction }, { limit: 3, cursor }, { plan, spareKeys: 0 });
    seen.push(...page.items.map((v) => v.id));
    if (!page.nextCursor) return seen;
    cursor = decodeTimeIdCursor(page.nextCursor) ?? undefined;
  }
  throw new Error("more pages than rows");
}

describe("free-text search", () => {
  it("returns exactly the brute-force substring matches, newest first, over every page, with either plan", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { minLength: 1, maxLength: 20 }),
        // Terms cut from the data (so they match) and random ones (which mostly do not).
        fc.array(fc.oneof(text(1, 3), fc.tuple(fc.nat(), fc.nat(), fc.nat(3)).map(([a, b, n]) => [a, b, n] as const)), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(undefined, "in" as const, "out" as const),
        async (rows, termSpecs, direction) => {
          const stored = await load(rows);
          for (const spec of termSpecs) {
            let q: string;
            if (typeof spec === "string") q = spec;
            else {
              const r = rows[spec[0] % rows.length];
              const source = [...[r.fromWxId, r.nickName ?? r.fromWxId, r.conversationId][spec[1] % 3]];
              const start = spec[1] % source.length;
              q = source.slice(start, start + 1 + spec[2]).join("");
            }
            if (q.trim() !== q || q === "") continue; // the API trims q, and an empty q is no filter
            const expected = bruteForce(stored, q, direction);
            expect(await searchAll(q, direction, "walk"), `walk, q=${JSON.stringify(q)}`).toEqual(expected);
            expect(await searchAll(q, direction, "list"), `listed, q=${JSON.stringify(q)}`).toEqual(expected);
            expect(await searchAll(q, direction, undefined), `chosen, q=${JSON.stringify(q)}`).toEqual(expected);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 180_000);
});

describe("the listing plan's first read", () => {
  // In memory, so thousands of cases run: videos with a sender, a conversation, a time (ties
  // included) and whether the other filters keep them; each key's last time as its summary may
  // have it (its newest video, or later when that video was deleted). Reading the keys with the
  // newest last videos first must give exactly the page of reading every key.
  const video = fc.record({ sender: fc.nat(7), conversation: fc.nat(7), time: fc.nat(6), kept: fc.boolean() });
  it("gives the page that reading every matched key gives", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(video, { maxLength: 40 }),
        fc.array(fc.nat(5), { minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        async (videos, staleBy, limit, spare) => {
          const rows = videos.map((v, id) => ({ ...v, id, sendTime: new Date(v.time * 1000) }));
          const last = new Map<string, number>();
          for (const r of rows) {
            for (const key of [`s${r.sender}`, `c${r.conversation}`]) last.set(key, Math.max(last.get(key) ?? 0, r.sendTime.getTime()));
          }
          [...last.keys()].forEach((key, i) => last.set(key, last.get(key)! + staleBy[i % 16] * 1000));
          const matches: TextMatches = {
            senders: [...new Set(rows.map((r) => `s${r.sender}`))],
            conversations: [...new Set(rows.map((r) => `c${r.conversation}`))],
            lastVideoAt: last,
          };
          const read = async (subset: TextMatches) =>
            rows
              .filter((r) => r.kept && (subset.senders.includes(`s${r.sender}`) || subset.conversations.includes(`c${r.conversation}`)))
              .sort((a, b) => b.time - a.time || b.id - a.id)
              .slice(0, limit);
          expect(await newestOfMatches(matches, limit, read, spare)).toEqual(await read(matches));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
