import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { ConversationBadge } from "@/components/conversation-badge";
import { ConversationLink } from "@/components/conversation-link";
import { formatTotalDuration } from "@/lib/format/durations";
import { pathSegment } from "@/lib/format/format";
import type { SearchParams } from "@/lib/pages/params";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { SummaryList } from "@/components/summary-list";
import { readSummaryQuery } from "@/components/summary-page";
import { listConversations } from "@/lib/conversations/list";
import { db } from "@/lib/db/client";

export const dynamic = "force-dynamic";
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("conversations"))("title") };
}

export default async function ConversationsPage({ searchParams }: { searchParams: SearchParams }) {
  const { query, range, error } = await readSummaryQuery(searchParams);
  if (error) return <ParamErrorNotice error={error} resetHref="/conversations" />;
  const [{ items, nextCursor }, t, format] = await Promise.all([listConversations(db(), query), getTranslations("conversations"), getFormatter()]);
  return (
    <SummaryList
      title={t("title")}
      path="/conversations"
      noun="conversations"
      noMatch={t("noMatch", { q: query.q ?? "" })}
      empty={t("empty")}
      searchLabel={t("search")}
      placeholder={t("placeholder")}
      caption={t("caption")}
      columns={[{ label: t("conversation") }, { label: t("videos"), numeric: true }, { label: t("totalDuration"), numeric: true }, { label: t("participants"), numeric: true }, { label: t("lastActivity") }]}
      query={query}
      range={range}
      nextCursor={nextCursor}
      rows={items.map((c) => (
        <tr key={c.conversationId} data-testid="conversation-row" className="row-linked">
          <td className="max-w-96 px-3 py-2">
            <span className="flex items-center gap-2">
              <ConversationBadge kind={c.conversationKind} />
              {c.conversationId ? (
                <ConversationLink conversationId={c.conversationId} kind={c.conversationKind} name={c.conversationName} rowLink />
              ) : (
                <Link href={`/conversations/${pathSegment(c.conversationId)}`} className="link row-link">{t("none")}</Link>
              )}
            </span>
          </td>
          <td className="px-3 py-2 text-right tabular-nums">{format.number(c.videoCount)}</td>
          <td className="px-3 py-2 text-right whitespace-nowrap">{formatTotalDuration(format, c.totalDuration)}</td>
          <td className="px-3 py-2 text-right tabular-nums">{format.number(c.participantCount)}</td>
          <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={c.lastVideoAt} /></td>
        </tr>
      ))}
    />
  );
}
