import type { Metadata } from "next";
import Link from "next/link";
import { ConversationBadge } from "@/components/conversation-badge";
import { EmptyState } from "@/components/empty-state";
import { formatCount, formatTotalDuration, pathSegment } from "@/components/format";
import { ListSearch } from "@/components/list-search";
import { LiveRefresh } from "@/components/live/live-refresh";
import type { SearchParams } from "@/components/page-params";
import { Pager } from "@/components/pager";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { readSummaryQuery } from "@/components/summary-page";
import { listConversations } from "@/lib/conversations/list";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Conversations" };

export default async function ConversationsPage({ searchParams }: { searchParams: SearchParams }) {
  const { query, error } = await readSummaryQuery(searchParams);
  if (error) return <ParamErrorNotice error={error} resetHref="/conversations" />;
  const { items, nextCursor } = await listConversations(pool(), query);
  const q = query.q ? `q=${encodeURIComponent(query.q)}` : "";
  return (
    <div className="space-y-4">
      {!query.cursor && <LiveRefresh />}
      <h1 className="text-2xl font-semibold">Conversations</h1>
      <ListSearch key={query.q ?? ""} action="/conversations" value={query.q} label="Search conversations" placeholder="Conversation id (R:… group, S:… private)" />
      {items.length === 0 ? (
        query.q ? <p className="muted">No conversation matches “{query.q}”.</p> : <EmptyState title="No conversations yet" />
      ) : (
        <div className="card relative overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Conversations, most recent activity first</caption>
            <thead className="border-b border-zinc-200 text-xs text-zinc-700 uppercase dark:border-zinc-800 dark:text-zinc-300">
              <tr>
                <th scope="col" className="px-3 py-2">Conversation</th>
                <th scope="col" className="px-3 py-2 text-right">Videos</th>
                <th scope="col" className="px-3 py-2 text-right">Total duration</th>
                <th scope="col" className="px-3 py-2 text-right">Participants</th>
                <th scope="col" className="px-3 py-2">Last activity</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {items.map((c) => (
                <tr key={c.conversationId} data-testid="conversation-row">
                  <td className="max-w-96 px-3 py-2">
                    <span className="flex items-center gap-2">
                      <ConversationBadge kind={c.conversationKind} />
                      <Link href={`/conversations/${pathSegment(c.conversationId)}`} className="link truncate font-mono">{c.conversationId || "(none)"}</Link>
                    </span>
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatCount(c.videoCount)}</td>
                  <td className="px-3 py-2 text-right whitespace-nowrap">{formatTotalDuration(c.totalDuration)}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatCount(c.participantCount)}</td>
                  <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={c.lastVideoAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base="/conversations" query={q} nextCursor={nextCursor} isFirst={!query.cursor} noun="conversations" />
    </div>
  );
}
