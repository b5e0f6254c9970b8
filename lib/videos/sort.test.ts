// The lists' orders (sort=time|-time|duration|-duration|size|-size): each walks every row exactly
// once across pages of any size, in its order with ties broken by id, under filters too, and each
// is read from its own index rather than sorted.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ParamError } from "../params";
import { parseVideoFilters } from "./filters";
import { listVideos } from "./list";
import { parseSortedPage, VIDEO_SORTS, type VideoSort } from "./sort";

const db = useTestDatabase();

type Row = { id: string; sendTime: number; duration: number; size: number | null; fromWxId: string };
let rows: Row[] = [];

/** Every page of `query` in turn; the ids in the order the pages gave them. */
async function walk(query: string, limit: number, plan?: "list" | "walk"): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = "";
  for (let pages = 0; cursor !== null; pages++) {
    if (pages > 200) throw new Error("paging does not end");
    const params = new URLSearchParams(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    const page = await listVideos(db.client, parseVideoFilters(params), parseSortedPage(params), { plan });
    seen.push(...page.items.map((v) => v.id));
    cursor = page.nextCursor;
  }
  return seen;
}

/** The order `sort` promises, computed here from the rows as inserted. */
function expected(sort: VideoSort, keep: (r: Row) => boolean = () => true): string[] {
  const key = sort.replace("-", "") as "time" | "duration" | "size";
  const value = (r: Row) => (key === "time" ? r.sendTime : key === "duration" ? r.duration : (r.size ?? 0));
  const sign = sort.startsWith("-") ? -1 : 1;
  return rows
    .filter(keep)
    .sort((a, b) => sign * (value(a) - value(b) || Number(BigInt(a.id) - BigInt(b.id))))
    .map((r) => r.id);
}

beforeAll(async () => {
  // 60 videos with many ties: 6 send times, 4 durations, 5 sizes of which one is "not sent"
  // (NULL, counted as 0), and ids that sort differently as text ("10" < "9").
  const inserted = await db.pool.query<{ id: string; t: Date; duration: number; size: string | null; sender: string }>(`
    INSERT INTO video_events ("messageKey", "robotId", "fromWxId", "messageSource", "cdnType", width, height, duration, "cdnSize", "sendTime", "cdnUrl", raw)
    SELECT 'sort-' || g, 'r', 'wxid_' || (g % 3), 0, 2, 1, 1, (g * 7) % 4 * 15,
      CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 3) % 5 * 1000000 END,
      timestamptz '2024-09-20 10:00:00+00' + (g % 6) * interval '1 minute', 'https://x', '{}'
    FROM generate_series(1, 60) g
    RETURNING id::text, "sendTime" AS t, duration, "cdnSize"::text AS size, "fromWxId" AS sender`);
  rows = inserted.rows.map((r) => ({ id: r.id, sendTime: r.t.getTime(), duration: r.duration, size: r.size === null ? null : Number(r.size), fromWxId: r.sender }));
});

describe("sorted lists", () => {
  it.each(VIDEO_SORTS.flatMap((sort) => [1, 7, 50].map((limit) => [sort, limit] as const)))("sort=%s walks every row once in pages of %i, ties by id", async (sort, limit) => {
    const seen = await walk(`sort=${encodeURIComponent(sort)}`, limit);
    expect(seen).toEqual(expected(sort));
    expect(new Set(seen).size).toBe(rows.length);
  });

  it.each(VIDEO_SORTS)("sort=%s keeps the filters on every page", async (sort) => {
    const seen = await walk(`sort=${encodeURIComponent(sort)}&fromWxId=wxid_1&minDuration=15`, 4);
    expect(seen).toEqual(expected(sort, (r) => r.fromWxId === "wxid_1" && r.duration >= 15));
  });

  it.each(VIDEO_SORTS)("sort=%s with q: the listing plan (through the matched senders) and the walk give the same pages", async (sort) => {
    const want = expected(sort, (r) => r.fromWxId === "wxid_2" && r.duration >= 15);
    const query = `sort=${encodeURIComponent(sort)}&q=wxid_2&minDuration=15`;
    expect(await walk(query, 3, "list")).toEqual(want);
    expect(await walk(query, 3, "walk")).toEqual(want);
    expect(await walk(query, 3)).toEqual(want);
  });

  it("lists newest first when sort is absent, with the cursor it always had", async () => {
    expect(await walk("", 9)).toEqual(expected("-time"));
    const params = new URLSearchParams("limit=5");
    const page = await listVideos(db.client, parseVideoFilters(params), parseSortedPage(params));
    // A cursor saved before sort existed still reads as the time order's.
    expect(parseSortedPage(new URLSearchParams(`sort=-time&cursor=${page.nextCursor}`)).cursor).toBeDefined();
  });

  it.each([
    ["sort=newest", "sort: must be one of -time, time, -duration, duration, -size, size"],
    ["sort=duration;DROP TABLE video_events", "sort: must be one of"],
    ["sort=%2Bsize", "sort: must be one of"],
  ])("refuses %s", (query, reason) => {
    expect(() => parseSortedPage(new URLSearchParams(query))).toThrow(ParamError);
    expect(() => parseSortedPage(new URLSearchParams(query))).toThrow(reason);
  });

  it("refuses a cursor of another order, or a forged one", async () => {
    const params = new URLSearchParams("sort=duration&limit=5");
    const { nextCursor } = await listVideos(db.client, parseVideoFilters(params), parseSortedPage(params));
    expect(() => parseSortedPage(new URLSearchParams(`sort=size&cursor=${nextCursor}`))).toThrow("cursor: malformed cursor");
    expect(() => parseSortedPage(new URLSearchParams(`sort=-time&cursor=${nextCursor}`))).toThrow("cursor: malformed cursor");
    expect(parseSortedPage(new URLSearchParams(`sort=-duration&cursor=${nextCursor}`)).cursor).toEqual(expect.objectContaining({ key: "duration" }));
    const forged = Buffer.from("duration:1 OR 1=1:5").toString("base64url");
    expect(() => parseSortedPage(new URLSearchParams(`sort=duration&cursor=${forged}`))).toThrow(ParamError);
  });
});

describe("each order reads its index", () => {
  beforeAll(async () => {
    await db.pool.query(`INSERT INTO video_events ("messageKey", "robotId", "messageSource", "cdnType", width, height, duration, "cdnSize", "sendTime", "cdnUrl", raw)
      SELECT 'bulk-' || g, 'r', 0, 2, 1, 1, g % 300, g * 10, now() - g * interval '1 second', 'https://x', '{}' FROM generate_series(1, 20000) g`);
    await db.pool.query("ANALYZE video_events");
  });

  it.each([
    ["-duration", "video_events_duration_idx"],
    ["duration", "video_events_duration_idx"],
    ["-size", "video_events_size_idx"],
    ["size", "video_events_size_idx"],
    ["time", "video_events_time_idx"],
  ])("sort=%s, a later page, is a range of %s with no sort step", async (sort, index) => {
    const params = new URLSearchParams(`sort=${encodeURIComponent(sort)}&limit=50`);
    const first = await listVideos(db.client, parseVideoFilters(params), parseSortedPage(params));
    const next = parseSortedPage(new URLSearchParams(`sort=${encodeURIComponent(sort)}&limit=50&cursor=${first.nextCursor}`));
    const plans: string[] = [];
    // The statement listVideos runs, captured from the client and explained.
    const client = new Proxy(db.client, {
      get(target, prop, receiver) {
        if (prop !== "$queryRawUnsafe") return Reflect.get(target, prop, receiver);
        return async (sql: string, ...values: unknown[]) => {
          if (sql.startsWith("SELECT") && sql.includes("ORDER BY")) {
            const explained = await target.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`, ...values);
            plans.push(explained.map((r) => r["QUERY PLAN"]).join("\n"));
          }
          return target.$queryRawUnsafe(sql, ...values);
        };
      },
    });
    await listVideos(client, parseVideoFilters(params), next);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toContain(index);
    expect(plans[0]).not.toMatch(/^\s*(->\s*)?Sort\b/m);
  });
});
