import Link from "next/link";
import { BarChart } from "@/components/bar-chart";
import { ConversationBadge } from "@/components/conversation-badge";
import { EmptyState } from "@/components/empty-state";
import { formatCount, formatTotalDuration, pathSegment } from "@/components/format";
import { LiveRefresh } from "@/components/live/live-refresh";
import { LiveVideoList } from "@/components/videos/live-video-list";
import { pool } from "@/lib/db/client";
import { getOverview } from "@/lib/overview/summary";
import { describeRetention, retentionPolicy } from "@/lib/retention/retention";
import { NO_FILTERS } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
const dayLabel = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short" });

export default async function OverviewPage() {
  const [overview, latest] = await Promise.all([getOverview(pool()), listVideos(pool(), NO_FILTERS, { limit: 12 })]);
  const stats: [string, string, string?][] = [
    ["Videos today", formatCount(overview.videosToday)],
    ["Last 7 days", formatCount(overview.videosLast7Days)],
    ["All videos", formatCount(overview.videosTotal)],
    ["Total duration", formatTotalDuration(overview.totalDuration)],
    ["Active conversations", formatCount(overview.activeConversations), `of ${formatCount(overview.conversations)}, last 7 days`],
    ["Active senders", formatCount(overview.activeSenders), `of ${formatCount(overview.senders)}, last 7 days`],
  ];
  return (
    <div className="space-y-6">
      <LiveRefresh pill={false} minIntervalMs={3000} />
      <div>
        <h1 className="text-2xl font-semibold">Overview</h1>
        <p className="text-sm muted" data-testid="retention">
          {describeRetention(retentionPolicy())}
        </p>
      </div>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        {stats.map(([label, value, note]) => (
          <div key={label} className="card p-3">
            <dt className="text-xs font-medium muted">{label}</dt>
            <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`stat-${label.toLowerCase().replaceAll(" ", "-")}`}>{value}</dd>
            {note && <dd className="text-xs muted">{note}</dd>}
          </div>
        ))}
      </dl>
      <div className="grid gap-3 lg:grid-cols-2">
        <BarChart title="Videos per hour, last 24 hours" buckets={overview.hourly} label={hourLabel} />
        <BarChart title="Videos per day, last 30 days" buckets={overview.daily} label={dayLabel} />
      </div>
      <div className="grid gap-3 md:grid-cols-2">
        <TopList title="Top senders" empty="Senders with more than one video are ranked here." href="/senders">
          {overview.topSenders.map((s) => (
            <li key={s.fromWxId} className="flex items-center justify-between gap-2 py-1.5">
              <Link href={`/senders/${pathSegment(s.fromWxId)}`} className="min-w-0 truncate hover:underline">
                <span className="font-medium">{s.nickName ?? s.fromWxId}</span> <span className="font-mono text-xs muted">{s.fromWxId}</span>
              </Link>
              <span className="tabular-nums muted">{formatCount(s.videoCount)}</span>
            </li>
          ))}
        </TopList>
        <TopList title="Top conversations" empty="Conversations with more than one video are ranked here." href="/conversations">
          {overview.topConversations.map((c) => (
            <li key={c.conversationId} className="flex items-center justify-between gap-2 py-1.5">
              <span className="flex min-w-0 items-center gap-1.5">
                <ConversationBadge kind={c.conversationKind} />
                <Link href={`/conversations/${pathSegment(c.conversationId)}`} className="truncate font-mono text-sm hover:underline">{c.conversationId || "—"}</Link>
              </span>
              <span className="tabular-nums muted">{formatCount(c.videoCount)}</span>
            </li>
          ))}
        </TopList>
      </div>
      <section aria-labelledby="latest-title" className="space-y-3">
        <div className="flex items-baseline justify-between">
          <h2 id="latest-title" className="text-lg font-medium">Latest videos</h2>
          <Link href="/videos" className="link text-sm">All videos →</Link>
        </div>
        <LiveVideoList initial={latest.items} filters={{}} view="grid" live maxItems={12} empty={<EmptyState />} />
      </section>
    </div>
  );
}

function TopList({ title, href, empty, children }: { title: string; href: string; empty: string; children: React.ReactNode[] }) {
  return (
    <section className="card p-4" aria-label={title}>
      <div className="mb-2 flex items-baseline justify-between">
        <h2 className="font-medium">{title}</h2>
        <Link href={href} className="link text-sm">See all<span className="sr-only"> {title.toLowerCase().replace("top ", "")}</span></Link>
      </div>
      {children.length ? <ol className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">{children}</ol> : <p className="text-sm muted">{empty}</p>}
    </section>
  );
}
