// What an export will hold, said on its links: the count of the filters' matches (the export's own
// WHERE), `ids` (a selection) among them, and null rather than a long wait.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { exportCopySql } from "../export/query";
import { ParamError } from "../params";
import { countVideos } from "./count";
import { parseVideoFilters } from "./filters";
import { listVideos } from "./list";

const db = useTestDatabase();
const filters = (query: string) => parseVideoFilters(new URLSearchParams(query));

beforeAll(async () => {
  await db.pool.query(`INSERT INTO video_events ("messageKey", "robotId", "fromWxId", "messageSource", "cdnType", width, height, duration, "sendTime", "cdnUrl", raw)
    SELECT 'count-' || g, 'r', 'wxid_' || (g % 4), 0, 2, 1, 1, g, timestamptz '2024-09-20 10:00:00+00' + g * interval '1 minute', 'https://x', '{}' FROM generate_series(1, 40) g`);
});

/** The rows the CSV export of `query` writes, by running its COPY's SELECT. */
async function exported(query: string): Promise<number> {
  const copy = exportCopySql({ filters: filters(query), includeSecrets: false, format: "csv" });
  const select = /^COPY \((.*)\) TO STDOUT/s.exec(copy)![1];
  return (await db.pool.query(select)).rowCount ?? 0;
}

describe("counting what an export holds", () => {
  it.each(["", "fromWxId=wxid_1", "minDuration=10&maxDuration=19", "q=wxid_2&minDuration=30", "fromWxId=nobody"])("counts exactly the export's rows for %j", async (query) => {
    expect(await countVideos(db.client, filters(query))).toBe(await exported(query));
  });

  it("counts and lists a selection by ids, in any order, duplicates once", async () => {
    const { items } = await listVideos(db.client, filters(""), { limit: 3 });
    const ids = items.map((v) => v.id);
    const query = `ids=${[ids[2], ids[0], ids[1], ids[0]].join(",")}`;
    expect(await countVideos(db.client, filters(query))).toBe(3);
    expect(await exported(query)).toBe(3);
    expect((await listVideos(db.client, filters(query), { limit: 50 })).items.map((v) => v.id)).toEqual(ids);
    expect(await countVideos(db.client, filters(`${query}&fromWxId=nobody`))).toBe(0);
  });

  it.each([
    ["ids=1,x", "ids: expected whole-number ids separated by commas"],
    ["ids=1;DROP TABLE video_events", "ids: expected whole-number ids"],
    ["ids=99999999999999999999", "ids: expected whole-number ids"],
    [`ids=${Array.from({ length: 501 }, (_, i) => i + 1).join(",")}`, "ids: at most 500 ids"],
  ])("refuses %s", (query, reason) => {
    expect(() => filters(query)).toThrow(ParamError);
    expect(() => filters(query)).toThrow(reason);
  });

  it("answers null instead of waiting past its limit, and leaves no limit on the connection", async () => {
    // A count held up (here by a lock another session holds) is given up at the limit.
    const blocker = await db.pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE video_events IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      expect(await countVideos(db.client, filters("fromWxId=wxid_1"), { timeoutMs: 200 })).toBeNull();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
    expect(await countVideos(db.client, filters("fromWxId=wxid_1"))).toBe(10);
    // SET LOCAL ended with the count's transaction: the pool's connections have no timeout left.
    // (A failed transaction undoes even a plain SET: the check is after the count that succeeded,
    // whose idle connection the next statements take first.)
    for (let i = 0; i < 3; i++) {
      const [{ statement_timeout }] = await db.client.$queryRawUnsafe<{ statement_timeout: string }[]>("SHOW statement_timeout");
      expect(statement_timeout).not.toBe("3s");
    }
  });
});
