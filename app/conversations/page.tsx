import type { Metadata } from "next";
import Link from "next/link";
import { ConversationBadge } from "@/components/conversation-badge";
import { formatCount, formatTotalDuration, pathSegment } from "@/lib/format/format";
import type { SearchParams } from "@/lib/pages/params";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { SummaryList } from "@/components/summary-list";
import { readSummaryQuery } from "@/components/summary-page";
import { listConversations } from "@/lib/conversations/list";
import { pool } from "@/lib/db/client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Conversations" };

export default async function ConversationsPage({ searchParams }: { searchParams: SearchParams }) {
  const { query, error } = await readSummaryQuery(searchParams);
  if (error) return <ParamErrorNotice error={error} resetHref="/conversations" />;
  const { items, nextCursor } = await listConversations(pool(), query);
  return (
    <SummaryList
      title="Conversations"
      path="/conversations"
      noun="conversations"
      singular="conversation"
      searchLabel="Search conversations"
      placeholder="Conversation id (R:… group, S:… private)"
      caption="Conversations, most recent activity first"
      columns={[{ label: "Conversation" }, { label: "Videos", numeric: true }, { label: "Total duration", numeric: true }, { label: "Participants", numeric: true }, { label: "Last activity" }]}
      query={query}
      nextCursor={nextCursor}
      rows={items.map((c) => (
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
    />
  );
}
