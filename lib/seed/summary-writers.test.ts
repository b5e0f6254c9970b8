// The summary triggers under two writers at once (two app instances' group commits, a parallel
// seed): each multi-row insert touches the same senders and conversations, one in ascending key
// order and the other in descending. The triggers take summary rows in key order, so the
// writers queue instead of deadlocking, and the summaries equal a rebuild from scratch.
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { rebuildSummaries } from "./rebuild-summaries";

const db = useTestDatabase();

const KEYS = Array.from({ length: 24 }, (_, i) => `k${String(i).padStart(2, "0")}`);
const SUMMARY_TABLES = {
  conversation_participants: `"conversationId", "fromWxId"`,
  conversation_summaries: `"conversationId"`,
  sender_nicknames: `"fromWxId", "nickName"`,
  sender_summaries: `"fromWxId"`,
  video_hourly: `hour`,
};

/** One group-commit-like statement: three videos per key, in the keys' given order. */
async function insertGroup(writer: string, round: number, keys: string[]) {
  const rows = keys.flatMap((k, i) =>
    [0, 1, 2].map((n) => ({
      messageKey: `${writer}-${round}-${k}-${n}`,
      fromWxId: `wxid_${k}`,
      // Two conversations per sender, shared across senders: participants overlap too.
      conversationId: `R:${KEYS[(KEYS.indexOf(k) + n) % KEYS.length]}`,
      nick: `${k} ${writer}`,
      duration: 1 + ((round + i + n) % 30),
      // Distinct per writer (the seconds), so "the latest nickname" has one answer.
      sendTime: new Date(Date.UTC(2025, 0, 1, (round * 7 + i) % 24, n, ((round * 13 + i) % 20) * 3 + "abc".indexOf(writer))).toISOString(),
    })),
  );
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO video_events ("messageKey", "robotId", "fromWxId", "fromNickName", "conversationId", "messageSource", "cdnType", width, height, duration, "sendTime", "cdnUrl", raw)
       SELECT m, 'r', f, n, c, 0, 2, 1, 1, d, t, 'https://x', '{}'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[]) WITH ORDINALITY AS u(m, f, c, n, d, t, ord)
       ORDER BY ord`,
      [rows.map((r) => r.messageKey), rows.map((r) => r.fromWxId), rows.map((r) => r.conversationId), rows.map((r) => r.nick), rows.map((r) => r.duration), rows.map((r) => r.sendTime)],
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(SUMMARY_TABLES)) out[table] = (await db.pool.query(`SELECT * FROM ${table} ORDER BY ${key}`)).rows;
  return out;
}

describe("two writers on overlapping summary keys", () => {
  it("never deadlock, and leave the summaries equal to a rebuild", async () => {
    const descending = [...KEYS].reverse();
    for (let round = 0; round < 30; round++) {
      // Both statements are sent at once; any deadlock error fails the round.
      await Promise.all([insertGroup("a", round, KEYS), insertGroup("b", round, descending), insertGroup("c", round, KEYS.slice(6).concat(KEYS.slice(0, 6)))]);
    }
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM video_events`);
    expect(rows[0].n).toBe(30 * 3 * KEYS.length * 3);
    const byTriggers = await snapshot();
    expect(byTriggers.sender_summaries).toHaveLength(KEYS.length);
    await rebuildSummaries(db.client);
    expect(await snapshot()).toEqual(byTriggers);
  }, 120_000);
});
