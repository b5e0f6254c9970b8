// The overview's figures, all from the summary tables (video_hourly, conversation_summaries,
// sender_summaries): a handful of index reads, whatever the size of video_events.
import type { Pool } from "pg";
import { addDaysIn, startOfDayIn } from "../time/zone";
import { conversationKind } from "../videos/item";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type Bucket = { start: string; count: number };

/** "Today" and the daily buckets begin at midnight in `timeZone` (TZ: the dashboard's one zone). */
export async function getOverview(db: Pool, now = new Date(), timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone) {
  const today = startOfDayIn(now, timeZone);
  const thisHour = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const firstHour = new Date(thisHour.getTime() - 23 * HOUR);
  const firstDay = addDaysIn(today, -29, timeZone);
  const weekAgo = new Date(now.getTime() - 7 * DAY);

  const [totals, hours, conversations, senders, topSenders, topConversations] = await Promise.all([
    db.query<{ total: number; totalDuration: number }>(
      `SELECT coalesce(sum("videoCount"), 0)::float8 AS total, coalesce(sum("totalDuration"), 0)::float8 AS "totalDuration" FROM video_hourly`,
    ),
    db.query<{ hour: Date; videoCount: number }>(
      `SELECT hour, "videoCount" FROM video_hourly WHERE hour >= $1 ORDER BY hour`,
      [new Date(Math.min(firstDay.getTime(), firstHour.getTime(), weekAgo.getTime()))],
    ),
    db.query<{ active: number; all: number }>(
      `SELECT (SELECT count(*) FROM conversation_summaries WHERE "lastVideoAt" >= $1)::int AS active,
              (SELECT count(*) FROM conversation_summaries)::int AS all`,
      [weekAgo],
    ),
    db.query<{ active: number; all: number }>(
      `SELECT (SELECT count(*) FROM sender_summaries WHERE "lastVideoAt" >= $1)::int AS active,
              (SELECT count(*) FROM sender_summaries)::int AS all`,
      [weekAgo],
    ),
    // Top lists rank repeat activity: one video is not a trend, and would fill the list with ties.
    db.query<{ fromWxId: string; nickName: string | null; videoCount: number }>(
      `SELECT "fromWxId", "lastNickName" AS "nickName", "videoCount" FROM sender_summaries WHERE "videoCount" > 1 ORDER BY "videoCount" DESC LIMIT 5`,
    ),
    db.query<{ conversationId: string; videoCount: number; participantCount: number }>(
      `SELECT "conversationId", "videoCount", "participantCount" FROM conversation_summaries WHERE "videoCount" > 1 ORDER BY "videoCount" DESC LIMIT 5`,
    ),
  ]);

  const hourly: Bucket[] = Array.from({ length: 24 }, (_, i) => ({ start: new Date(firstHour.getTime() + i * HOUR).toISOString(), count: 0 }));
  const daily: Bucket[] = Array.from({ length: 30 }, (_, i) => ({ start: addDaysIn(firstDay, i, timeZone).toISOString(), count: 0 }));
  let videosToday = 0;
  let videosLast7Days = 0;
  for (const { hour, videoCount } of hours.rows) {
    const t = hour.getTime();
    if (t >= today.getTime()) videosToday += videoCount;
    if (t >= weekAgo.getTime() - HOUR) videosLast7Days += videoCount;
    const h = Math.floor((t - firstHour.getTime()) / HOUR);
    if (h >= 0 && h < 24) hourly[h].count += videoCount;
    const day = startOfDayIn(hour, timeZone).toISOString();
    const bucket = daily.find((b) => b.start === day);
    if (bucket) bucket.count += videoCount;
  }

  return {
    videosToday,
    videosLast7Days,
    videosTotal: totals.rows[0].total,
    totalDuration: totals.rows[0].totalDuration,
    activeConversations: conversations.rows[0].active,
    conversations: conversations.rows[0].all,
    activeSenders: senders.rows[0].active,
    senders: senders.rows[0].all,
    hourly,
    daily,
    topSenders: topSenders.rows,
    topConversations: topConversations.rows.map((c) => ({ ...c, conversationKind: conversationKind(c.conversationId) })),
  };
}

export type Overview = Awaited<ReturnType<typeof getOverview>>;
