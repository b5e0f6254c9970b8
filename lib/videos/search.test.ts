// The search against its definition: for random small histories (CJK, emoji, LIKE's own `%`, `_`
// and `\` in ids and nicknames, renamed senders, shared send times), every page of `q` equals a
// brute-force substring match over every row, whichever plan answers.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { NO_FILTERS } from "./filters";
import { decodeTimeIdCursor, type TimeIdCursor } from "../shared/paging";
import { listVideos } from "./list";

const db = useTestDatabase();

// Upper and lower case (the match ignores case), characters LIKE treats specially, CJK, emoji
// (a surrogate pair in JavaScript, one character in PostgreSQL), a space.
const CHARS = ["a", "A", "b", "B", "x", "_", "%", "\\", "张", "王", "伟", "🐼", "😀", " ", "1"];
const text = (min: number, max: number) => fc.array(fc.constantFrom(...CHARS), { minLength: min, maxLength: max }).map((c) => c.join(""));

type Row = { fromWxId: string; nickName: string | null; conversationId: string; second: number; out: boolean };
const rowArb = fc.record({
  fromWxId: fc.constantFrom("wx_a", "wx_B", "w%_\\", "张三", "🐼id"),
  nickName: fc.option(text(1, 5), { nil: null }),
  conversationId: fc.oneof(text(1, 6), fc.constantFrom("R:1_%@chatroom", "S:王🐼")),
  second: fc.integer({ min: 0, max: 5 }),
  out: fc.boolean(),
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
  return rows.map((r, i) => ({ ...r, id: ids[i].id }));
}

/** Every page of the search, three at a time, through the cursors it hands out. */
async function searchAll(q: string, direction: "in" | "out" | undefined, plan: "list" | "walk" | undefined): Promise<string[]> {
  const seen: string[] = [];
  let cursor: TimeIdCursor | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listVideos(db.pool, { ...NO_FILTERS, q, direction }, { limit: 3, cursor }, { plan });
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
        fc.array(rowArb, { minLength: 1, maxLength: 14 }),
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
