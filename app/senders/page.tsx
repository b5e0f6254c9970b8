import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { formatCount, formatTotalDuration, pathSegment } from "@/components/format";
import { ListSearch } from "@/components/list-search";
import { LiveRefresh } from "@/components/live/live-refresh";
import type { SearchParams } from "@/components/page-params";
import { Pager } from "@/components/pager";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { readSummaryQuery } from "@/components/summary-page";
import { pool } from "@/lib/db/client";
import { listSenders } from "@/lib/senders/list";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Senders" };

export default async function SendersPage({ searchParams }: { searchParams: SearchParams }) {
  const { query, error } = await readSummaryQuery(searchParams);
  if (error) return <ParamErrorNotice error={error} resetHref="/senders" />;
  const { items, nextCursor } = await listSenders(pool(), query);
  const q = query.q ? `q=${encodeURIComponent(query.q)}` : "";
  return (
    <div className="space-y-4">
      {!query.cursor && <LiveRefresh />}
      <h1 className="text-2xl font-semibold">Senders</h1>
      <ListSearch key={query.q ?? ""} action="/senders" value={query.q} label="Search senders" placeholder="Sender id or any nickname they used" />
      {items.length === 0 ? (
        query.q ? <p className="muted">No sender matches “{query.q}”.</p> : <EmptyState title="No senders yet" />
      ) : (
        <div className="card relative overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Senders, most recent activity first</caption>
            <thead className="border-b border-zinc-200 text-xs text-zinc-700 uppercase dark:border-zinc-800 dark:text-zinc-300">
              <tr>
                <th scope="col" className="px-3 py-2">Sender</th>
                <th scope="col" className="px-3 py-2 text-right">Videos</th>
                <th scope="col" className="px-3 py-2 text-right">Total duration</th>
                <th scope="col" className="px-3 py-2 text-right">Conversations</th>
                <th scope="col" className="px-3 py-2">Last video</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {items.map((s) => (
                <tr key={s.fromWxId} data-testid="sender-row">
                  <td className="max-w-80 px-3 py-2">
                    <Link href={`/senders/${pathSegment(s.fromWxId)}`} className="link block truncate font-medium" data-testid="sender-nickname">{s.nickName ?? s.fromWxId}</Link>
                    <span className="block truncate font-mono text-xs muted">{s.fromWxId}</span>
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatCount(s.videoCount)}</td>
                  <td className="px-3 py-2 text-right whitespace-nowrap">{formatTotalDuration(s.totalDuration)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatCount(s.conversationCount)}</td>
                  <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={s.lastVideoAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base="/senders" query={q} nextCursor={nextCursor} isFirst={!query.cursor} noun="senders" />
    </div>
  );
}
