import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { cdnStringSql } from "../shared/cdn-strings";
import { rebuildSummaries } from "./rebuild-summaries";
import { formatProgress } from "./progress";
import { seedShape, seedVideos } from "./videos";

const db = useTestDatabase();

const SUMMARY_QUERIES = {
  conversation_summaries: `SELECT "conversationId", "videoCount", "totalDuration"::text, "participantCount", "firstVideoAt", "lastVideoAt" FROM conversation_summaries ORDER BY 1`,
  conversation_participants: `SELECT "conversationId", "fromWxId", "videoCount", "lastVideoAt" FROM conversation_participants ORDER BY 1, 2`,
  sender_summaries: `SELECT "fromWxId", "lastNickName", "videoCount", "totalDuration"::text, "conversationCount", "firstVideoAt", "lastVideoAt" FROM sender_summaries ORDER BY 1`,
  sender_nicknames: `SELECT "fromWxId", "nickName", "videoCount", "firstSeenAt", "lastSeenAt" FROM sender_nicknames ORDER BY 1, 2`,
  video_hourly: `SELECT hour, "videoCount", "totalDuration"::text FROM video_hourly ORDER BY 1`,
};

async function summaries() {
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(SUMMARY_QUERIES)) out[name] = (await db.pool.query(sql)).rows;
  return out;
}

describe("seed", () => {
  it("writes realistic videos whose summaries the triggers and the rebuild agree on", async () => {
    const result = await seedVideos(db.pool, { videos: 3000, summaries: "triggers" });
    expect(result.inserted).toBe(3000);

    const { rows: [shape] } = await db.pool.query(`SELECT count(*)::int AS videos,
        count(DISTINCT "fromWxId")::int AS senders, count(DISTINCT "conversationId")::int AS conversations,
        count(*) FILTER (WHERE "conversationId" LIKE 'R:%@chatroom')::int AS in_groups,
        count(*) FILTER (WHERE "conversationId" LIKE 'S:%')::int AS private,
        count(*) FILTER (WHERE "messageSource" = 1)::int AS sent, count(*) FILTER (WHERE "messageSource" = 0)::int AS received,
        min(duration) AS min_duration, max(duration) AS max_duration,
        count(*) FILTER (WHERE "sendTime" > now() - interval '30 days')::int AS last_month,
        count(*) FILTER (WHERE "sendTime" < now() - interval '60 days')::int AS oldest_month,
        min("sendTime") > now() - interval '91 days' AS within_90_days,
        -- Written in time order, as a live table receives its rows.
        corr(id::float8, extract(epoch FROM "sendTime")) AS time_order,
        bool_and(${cdnStringSql("cdnUrl")} LIKE 'https://imunion.weixin.qq.com/%' AND length(${cdnStringSql("cdnUrl")}) > 400) AS cdn_urls,
        -- Stored once, in raw, as the receiver stores them.
        bool_and("cdnUrl" IS NULL AND "cdnPreviewUrl" IS NULL AND "cdnAesKey" IS NULL AND "cdnAuthKey" IS NULL AND "cdnMd5" IS NULL) AS cdn_strings_once,
        bool_and(raw->'data'->>'serverId' = "serverId" AND raw->'data'->'cdnData'->>'file_name' = "cdnFileName"
          AND ${cdnStringSql("cdnMd5")} || '.mp4' = "cdnFileName") AS raw_matches
      FROM video_events`);
    expect(shape).toMatchObject({ videos: 3000, cdn_urls: true, cdn_strings_once: true, raw_matches: true, within_90_days: true });
    expect(shape.senders).toBeGreaterThan(15);
    expect(shape.conversations).toBeGreaterThan(10);
    expect(shape.in_groups).toBeGreaterThan(1500);
    expect(shape.private).toBeGreaterThan(500);
    expect(shape.sent).toBeGreaterThan(100);
    expect(shape.received).toBeGreaterThan(1500);
    expect(shape.min_duration).toBeGreaterThanOrEqual(1);
    expect(shape.max_duration).toBeLessThanOrEqual(300);
    expect(shape.last_month).toBeGreaterThan(shape.oldest_month);
    expect(shape.time_order).toBeGreaterThan(0.95);
    const { rows: renamed } = await db.pool.query(`SELECT "fromWxId" FROM sender_nicknames GROUP BY 1 HAVING count(*) > 1`);
    expect(renamed.length).toBeGreaterThan(0);

    // The summaries kept by the triggers chunk by chunk equal a rebuild from scratch.
    const byTriggers = await summaries();
    expect(byTriggers.sender_summaries.length).toBe(shape.senders);
    await rebuildSummaries(db.client);
    expect(await summaries()).toEqual(byTriggers);
  });

  it("adds to an existing history, and the bulk path rebuilds the summaries to match", async () => {
    const result = await seedVideos(db.pool, { videos: 2000, summaries: "rebuild", chunkSize: 700 });
    expect(result.inserted).toBe(2000);
    const { rows: [counts] } = await db.pool.query(`SELECT (SELECT count(*)::int FROM video_events) AS videos,
      (SELECT sum("videoCount")::int FROM video_hourly) AS hourly, (SELECT sum("videoCount")::int FROM conversation_summaries) AS conversations,
      (SELECT sum("videoCount")::int FROM sender_summaries) AS senders`);
    expect(counts).toEqual({ videos: 5000, hourly: 5000, conversations: 5000, senders: 5000 });
    const rebuilt = await summaries();
    // The rebuild drops the summary tables' indexes and builds them again: every one is back, valid.
    const indexes = `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE tablename IN ('conversation_participants', 'conversation_summaries', 'sender_nicknames', 'sender_summaries', 'video_hourly') ORDER BY 2`;
    const indexesBefore = (await db.pool.query(indexes)).rows;
    expect(indexesBefore.some((i) => i.indexname === "sender_nicknames_grams_idx")).toBe(true);
    await rebuildSummaries(db.client);
    expect(await summaries()).toEqual(rebuilt);
    expect((await db.pool.query(indexes)).rows).toEqual(indexesBefore);
    const { rows: [{ invalid }] } = await db.pool.query(`SELECT count(*)::int AS invalid FROM pg_index WHERE NOT indisvalid`);
    expect(invalid).toBe(0);
  });

  it("loads an empty table with its indexes (all but the primary key) built afterwards, every one of them back", async () => {
    const indexes = `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'video_events' ORDER BY 1`;
    const before = (await db.pool.query(indexes)).rows;
    await db.pool.query("TRUNCATE video_events CASCADE");
    const result = await seedVideos(db.pool, { videos: 1500, summaries: "rebuild", deferIndexes: true, chunkSize: 400 });
    expect(result.inserted).toBe(1500);
    expect((await db.pool.query(indexes)).rows).toEqual(before);
    const { rows: plan } = await db.pool.query(`EXPLAIN SELECT id FROM video_events WHERE "fromWxId" = 'x' ORDER BY "sendTime" DESC LIMIT 5`);
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("video_events_sender_idx");
  });

  it("draws on as many senders and conversations as asked, with Chinese, Latin and emoji nicknames, Zipf-like activity", async () => {
    await db.pool.query("TRUNCATE video_events CASCADE");
    await seedVideos(db.pool, { videos: 4000, senders: 300, conversations: 60, summaries: "rebuild" });
    const { rows: [shape] } = await db.pool.query(`SELECT
        count(DISTINCT "fromWxId") FILTER (WHERE "messageSource" = 0)::int AS senders,
        count(DISTINCT "conversationId")::int AS conversations,
        count(DISTINCT "conversationId") FILTER (WHERE "conversationId" LIKE 'R:%')::int AS groups,
        bool_or("fromNickName" ~ '[\u4e00-\u9fff]') AS chinese, bool_or("fromNickName" ~ '^[A-Za-z]') AS latin,
        bool_or("fromNickName" ~ '[\U0001F300-\U0001FAFF]') AS emoji
      FROM video_events`);
    expect(shape).toMatchObject({ chinese: true, latin: true, emoji: true });
    expect(shape.senders).toBeLessThanOrEqual(300);
    expect(shape.senders).toBeGreaterThan(150);
    expect(shape.conversations).toBeLessThanOrEqual(60);
    expect(shape.groups).toBeLessThanOrEqual(24);
    // Zipf-like: the busiest tenth of the senders posts far more than a tenth of the videos.
    const { rows: [top] } = await db.pool.query(`SELECT sum(n)::float8 / (SELECT sum("videoCount") FROM sender_summaries) AS share
      FROM (SELECT "videoCount" AS n FROM sender_summaries ORDER BY 1 DESC LIMIT (SELECT count(*) / 10 FROM sender_summaries)) t`);
    expect(top.share).toBeGreaterThan(0.3);
  });
});

describe("seed shape and progress", () => {
  it("defaults to one sender per 50 videos and one conversation per 200", () => {
    expect(seedShape(10_000_000)).toEqual({ senders: 200_000, groups: 20_000, privateChats: 30_000, instances: 200 });
    expect(seedShape(1000, { senders: 7, conversations: 5 })).toMatchObject({ senders: 7, groups: 2, privateChats: 3 });
  });

  it("shows the share done, the rate and the time left", () => {
    expect(formatProgress(250_000, 1_000_000, 10)).toBe(
      "[########----------------------]  25.0 % 250,000/1,000,000 25,000 rows/s, 30 s left",
    );
    expect(formatProgress(1_000_000, 1_000_000, 100)).toMatch(/\[#{30}\] 100.0 % .* 10,000 rows\/s$/);
  });
});
