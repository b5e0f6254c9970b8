import { setting } from "@/components/setting-name";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { BarChart } from "@/components/bar-chart";
import { ConversationBadge } from "@/components/conversation-badge";
import { ConversationLink } from "@/components/conversation-link";
import { DateRange } from "@/components/date-range";
import { EmptyState } from "@/components/empty-state";
import { LiveRefresh } from "@/components/live/live-refresh";
import { RobotStrip, STRIP_SILENT_SHOWN } from "@/components/robots/robot-strip";
import { LiveVideoList } from "@/components/videos/live-video-list";
import { config } from "@/lib/config";
import { db } from "@/lib/db/client";
import { formatTotalDuration } from "@/lib/format/durations";
import { pathSegment } from "@/lib/format/format";
import { getOverview, videosBetween } from "@/lib/overview/summary";
import { attempt, toClientFilters, toURLSearchParams, type SearchParams } from "@/lib/pages/params";
import { ParamErrorNotice } from "@/components/param-error";
import { retentionPolicy } from "@/lib/retention/retention";
import { countRobots, listRobots } from "@/lib/robots/list";
import { ArchiveCounts } from "@/components/archive/archive-counts";
import { archiveCounts as countArchived } from "@/lib/media/archive-state";
import { NO_FILTERS, parseVideoFilters } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

export default async function OverviewPage({ searchParams }: { searchParams: SearchParams }) {
  const cfg = config();
  // The range control (from/to): the videos in it and the latest of them; the other figures keep their own windows.
  const params = await toURLSearchParams(searchParams);
  const rangeParams = new URLSearchParams();
  for (const name of ["from", "to"]) if (params.get(name)) rangeParams.set(name, params.get(name)!);
  const parsed = attempt(() => parseVideoFilters(rangeParams));
  const range = parsed.value && rangeParams.size ? parsed.value : null;
  const robotOptions = { silentAfterMs: cfg.ROBOT_SILENT_AFTER, now: new Date() };
  const [overview, latest, silentRobots, robotCounts, t, w, format, archiveCounts] = await Promise.all([
    getOverview(db(), new Date(), cfg.TZ),
    listVideos(db(), range ?? NO_FILTERS, { limit: 12 }),
    listRobots(db(), { state: "silent", limit: STRIP_SILENT_SHOWN }, robotOptions),
    countRobots(db(), robotOptions),
    getTranslations("overview"),
    getTranslations("plain"),
    getFormatter(),
    cfg.MEDIA_ARCHIVE === "on" ? countArchived(db()) : null,
  ]);
  const [inRange, tRange] = await Promise.all([range ? videosBetween(db(), range) : null, getTranslations("dateRange")]);
  const videosHref = `/videos${rangeParams.size && range ? `?${rangeParams}` : ""}`;
  const n = (value: number) => format.number(value);
  const retentionDays = retentionPolicy();
  // [test id, label, value, note]
  const stats: [string, string, string, string?][] = [
    ["videos-today", t("videosToday"), n(overview.videosToday)],
    ["last-7-days", t("last7Days"), n(overview.videosLast7Days)],
    ["all-videos", t("allVideos"), n(overview.videosTotal)],
    ["total-duration", t("totalDuration"), formatTotalDuration(format, overview.totalDuration)],
    ["active-conversations", t("activeConversations"), n(overview.activeConversations), t("ofLast7Days", { all: n(overview.conversations) })],
    ["active-senders", t("activeSenders"), n(overview.activeSenders), t("ofLast7Days", { all: n(overview.senders) })],
  ];
  return (
    <div className="space-y-6">
      <LiveRefresh pill={false} minIntervalMs={3000} />
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="text-sm muted" data-testid="retention">
          {retentionDays === null ? w.rich("keepingEverything", { setting }) : t("keepingDays", { days: retentionDays })}
        </p>
      </div>
      <RobotStrip counts={robotCounts} silent={silentRobots.items} />
      <DateRange path="/" from={params.get("from")} to={params.get("to")} keep={new URLSearchParams()} />
      {parsed.error && <ParamErrorNotice error={parsed.error} resetHref="/" />}
      {inRange && (
        <p className="card p-3 text-sm" data-testid="range-summary">
          {tRange("inRange", { count: inRange.count, duration: formatTotalDuration(format, inRange.duration) })}{" "}
          <Link href={videosHref} className="link whitespace-nowrap">{tRange("seeRange")} →</Link>
        </p>
      )}
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        {stats.map(([id, label, value, note]) => (
          <div key={id} className="card p-3">
            <dt className="text-xs font-medium muted">{label}</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`stat-${id}`}>{value}</dd>
            {note && <dd className="text-xs muted">{note}</dd>}
          </div>
        ))}
      </dl>
      {archiveCounts && <ArchiveCounts counts={archiveCounts} />}
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
        <BarChart title={t("perHour")} buckets={overview.hourly} labels="hour" />
        <BarChart title={t("perDay")} buckets={overview.daily} labels="day" />
      </div>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <TopList title={t("topSenders")} seeAll={t("seeAllSenders")} empty={t("topSendersEmpty")} href="/senders">
          {overview.topSenders.map((s) => (
            <li key={s.fromWxId} className="flex items-center justify-between gap-2 py-1.5">
              <Link href={`/senders/${pathSegment(s.fromWxId)}`} className="min-w-0 truncate hover:underline">
                <span className="font-medium">{s.nickName ?? s.fromWxId}</span> <span className="font-mono text-xs muted">{s.fromWxId}</span>
              </Link>
              <span className="tabular-nums muted">{n(s.videoCount)}</span>
            </li>
          ))}
        </TopList>
        <TopList title={t("topConversations")} seeAll={t("seeAllConversations")} empty={t("topConversationsEmpty")} href="/conversations">
          {overview.topConversations.map((c) => (
            <li key={c.conversationId} className="flex items-center justify-between gap-2 py-1.5">
              <span className="flex min-w-0 items-center gap-1.5">
                <ConversationBadge kind={c.conversationKind} />
                <ConversationLink conversationId={c.conversationId} kind={c.conversationKind} name={c.conversationName} className="text-sm" />
              </span>
              <span className="tabular-nums muted">{n(c.videoCount)}</span>
            </li>
          ))}
        </TopList>
      </div>
      <section aria-labelledby="latest-title" className="space-y-3">
        <div className="flex items-baseline justify-between">
          <h2 id="latest-title" className="text-lg font-medium">{range ? tRange("latestInRange") : t("latest")}</h2>
          <Link href={videosHref} className="link text-sm">{t("allVideosLink")} →</Link>
        </div>
        <LiveVideoList key={rangeParams.toString()} initial={latest.items} filters={range ? toClientFilters(range) : {}} view="grid" live maxItems={12} empty={<EmptyState filtered={Boolean(range)} />} />
      </section>
    </div>
  );
}

function TopList({ title, seeAll, href, empty, children }: { title: string; seeAll: string; href: string; empty: string; children: React.ReactNode[] }) {
  return (
    <section className="card p-4" aria-label={title}>
      <div className="mb-2 flex items-baseline justify-between">
        <h2 className="font-medium">{title}</h2>
        <Link href={href} className="link text-sm">{seeAll}</Link>
      </div>
      {children.length ? <ol className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">{children}</ol> : <p className="text-sm muted">{empty}</p>}
    </section>
  );
}
