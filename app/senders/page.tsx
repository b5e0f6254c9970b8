import type { Metadata } from "next";
import Link from "next/link";
import { formatCount, formatTotalDuration, pathSegment } from "@/lib/format/format";
import type { SearchParams } from "@/lib/pages/params";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { SummaryList } from "@/components/summary-list";
import { readSummaryQuery } from "@/components/summary-page";
import { pool } from "@/lib/db/client";
import { listSenders } from "@/lib/senders/list";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Senders" };

export default async function SendersPage({ searchParams }: { searchParams: SearchParams }) {
  const { query, error } = await readSummaryQuery(searchParams);
  if (error) return <ParamErrorNotice error={error} resetHref="/senders" />;
  const { items, nextCursor } = await listSenders(pool(), query);
  return (
    <SummaryList
      title="Senders"
      path="/senders"
      noun="senders"
      singular="sender"
      searchLabel="Search senders"
      placeholder="Sender id or any nickname they used"
      caption="Senders, most recent activity first"
      columns={[{ label: "Sender" }, { label: "Videos", numeric: true }, { label: "Total duration", numeric: true }, { label: "Conversations", numeric: true }, { label: "Last video" }]}
      query={query}
      nextCursor={nextCursor}
      rows={items.map((s) => (
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
    />
  );
}
