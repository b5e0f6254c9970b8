import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { formatTotalDuration } from "@/lib/format/durations";
import { pathSegment } from "@/lib/format/format";
import type { SearchParams } from "@/lib/pages/params";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { SummaryList } from "@/components/summary-list";
import { readSummaryQuery } from "@/components/summary-page";
import { db } from "@/lib/db/client";
import { listSenders } from "@/lib/senders/list";

export const dynamic = "force-dynamic";
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("senders"))("title") };
}

export default async function SendersPage({ searchParams }: { searchParams: SearchParams }) {
  const { query, range, error } = await readSummaryQuery(searchParams);
  if (error) return <ParamErrorNotice error={error} resetHref="/senders" />;
  const [{ items, nextCursor }, t, format] = await Promise.all([listSenders(db(), query), getTranslations("senders"), getFormatter()]);
  return (
    <SummaryList
      title={t("title")}
      path="/senders"
      noun="senders"
      noMatch={t("noMatch", { q: query.q ?? "" })}
      empty={t("empty")}
      searchLabel={t("search")}
      placeholder={t("placeholder")}
      caption={t("caption")}
      columns={[{ label: t("sender") }, { label: t("videos"), numeric: true }, { label: t("totalDuration"), numeric: true }, { label: t("conversations"), numeric: true }, { label: t("lastVideo") }]}
      query={query}
      range={range}
      nextCursor={nextCursor}
      rows={items.map((s) => (
        <tr key={s.fromWxId} data-testid="sender-row" className="row-linked">
          <td className="max-w-80 px-3 py-2">
            <Link href={`/senders/${pathSegment(s.fromWxId)}`} className="link row-link block truncate font-medium" data-testid="sender-nickname">{s.nickName ?? s.fromWxId}</Link>
            <span className="block truncate font-mono text-xs muted">{s.fromWxId}</span>
          </td>
          <td className="px-3 py-2 text-right tabular-nums">{format.number(s.videoCount)}</td>
          <td className="px-3 py-2 text-right whitespace-nowrap">{formatTotalDuration(format, s.totalDuration)}</td>
          <td className="px-3 py-2 text-right tabular-nums">{format.number(s.conversationCount)}</td>
          <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={s.lastVideoAt} /></td>
        </tr>
      ))}
    />
  );
}
