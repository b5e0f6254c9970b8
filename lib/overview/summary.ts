// The overview's figures, all from the summary tables (video_hourly, conversation_summaries,
// sender_summaries): a handful of index reads, whatever the size of video_events.
import type { Db } from "../db/client";
import { addDaysIn, startOfDayIn } from "../time/zone";
import { conversationKind } from "../videos/item";
import { withConversationNames } from "../conversations/names";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type Bucket = { start: string; count: number };

/** "Today" and the daily buckets begin at midnight in `timeZone` (TZ: the dashboard's one zone). */
export async function getOverview(db: Db, now = new Date(), timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone) {
  const today = startOfDayIn(now, timeZone);
  const thisHour = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const firstHour = new Date(thisHour.getTime() - 23 * HOUR);
  const firstDay = addDaysIn(today, -29, timeZone);
  const weekAgo = new Date(now.getTime() - 7 * DAY);

  const since = new Date(Math.min(firstDay.getTime(), firstHour.getTime(), weekAgo.getTime()));
  const [totals, hours, conversations, senders, topSenders, topConversations] = await Promise.all([
    db.$queryRaw<{ total: number; totalDuration: number }[]>`
      SELECT coalesce(sum("videoCount"), 0)::float8 AS total, coalesce(sum("totalDuration"), 0)::float8 AS "totalDuration" FROM video_hourly`,
    db.$queryRaw<{ hour: Date; videoCount: number }[]>`SELECT hour, "videoCount" FROM video_hourly WHERE hour >= ${since} ORDER BY hour`,
    db.$queryRaw<{ active: number; all: number }[]>`
      SELECT (SELECT count(*) FROM conversation_summaries WHERE "lastVideoAt" >= ${weekAgo})::int AS active,
             (SELECT count(*) FROM conversation_summaries)::int AS all`,
    db.$queryRaw<{ active: number; all: number }[]>`
      SELECT (SELECT count(*) FROM sender_summaries WHERE "lastVideoAt" >= ${weekAgo})::int AS active,
             (SELECT count(*) FROM sender_summaries)::int AS all`,
    // Top lists rank repeat activity: one video is not a trend, and would fill the list with ties.
    db.$queryRaw<{ fromWxId: string; nickName: string | null; videoCount: number }[]>`
      SELECT "fromWxId", "lastNickName" AS "nickName", "videoCount" FROM sender_summaries WHERE "videoCount" > 1 ORDER BY "videoCount" DESC LIMIT 5`,
    db.$queryRaw<{ conversationId: string; videoCount: number; participantCount: number }[]>`
      SELECT "conversationId", "videoCount", "participantCount" FROM conversation_summaries WHERE "videoCount" > 1 ORDER BY "videoCount" DESC LIMIT 5`,
  ]);

  const hourly: Bucket[] = Array.from({ length: 24 }, (_, i) => ({ start: new Date(firstHour.getTime() + i * HOUR).toISOString(), count: 0 }));
  const daily: Bucket[] = Array.from({ length: 30 }, (_, i) => ({ start: addDaysIn(firstDay, i, timeZone).toISOString(), count: 0 }));
  let videosToday = 0;
  let videosLast7Days = 0;
  for (const { hour, videoCount } of hours) {
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
    videosTotal: totals[0].total,
    totalDuration: totals[0].totalDuration,
    activeConversations: conversations[0].active,
    conversations: conversations[0].all,
    activeSenders: senders[0].active,
    senders: senders[0].all,
    hourly,
    daily,
    topSenders,
    topConversations: await withConversationNames(db, topConversations.map((c) => ({ ...c, conversationKind: conversationKind(c.conversationId) }))),
  };
}

export type Overview = Awaited<ReturnType<typeof getOverview>>;

/**
 * Videos and their total duration between `from` and `to`, from video_hourly (one index range,
 * whatever the size of video_events). Whole hours: exact for ranges of whole days in a zone whose
 * offset is a whole hour (Asia/Shanghai); otherwise the hours the range's ends fall in count whole.
 */
export async function videosBetween(db: Db, range: { from?: Date; to?: Date }) {
  const from = range.from ? new Date(Math.floor(range.from.getTime() / HOUR) * HOUR) : new Date(0);
  const to = range.to ?? new Date("9999-12-31T23:59:59.999Z");
  const [row] = await db.$queryRaw<{ count: number; duration: number }[]>`
    SELECT coalesce(sum("videoCount"), 0)::float8 AS count, coalesce(sum("totalDuration"), 0)::float8 AS duration
    FROM video_hourly WHERE hour >= ${from} AND hour <= ${to}`;
  return row;
}
