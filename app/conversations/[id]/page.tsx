import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { ConversationBadge } from "@/components/conversation-badge";
import { formatTotalDuration } from "@/lib/format/durations";
import { pathSegment } from "@/lib/format/format";
import { Pager } from "@/components/pager";
import { RelativeTime } from "@/components/relative-time";
import { readPage } from "@/components/summary-page";
import { decodeSegment } from "@/lib/pages/params";
import { LiveVideoList } from "@/components/videos/live-video-list";
import type { SearchParams } from "@/lib/pages/params";
import { getConversation } from "@/lib/conversations/list";
import { pool } from "@/lib/db/client";
import { NO_FILTERS } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: SearchParams };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeSegment((await params).id).slice(0, 40) };
}

export default async function ConversationPage({ params, searchParams }: Props) {
  const conversationId = decodeSegment((await params).id);
  const conversation = await getConversation(pool(), conversationId);
  if (!conversation) notFound();
  const page = await readPage(searchParams);
  const filters = { ...NO_FILTERS, conversationId };
  const { items, nextCursor } = await listVideos(pool(), filters, page);
  const base = `/conversations/${pathSegment(conversationId)}`;
  const [t, format] = await Promise.all([getTranslations("conversation"), getFormatter()]);
  return (
    <div className="space-y-6">
      <Link href="/conversations" className="link text-sm">← {t("all")}</Link>
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <ConversationBadge kind={conversation.conversationKind} />
          <h1 className="font-mono text-xl font-semibold break-all">{conversationId}</h1>
        </div>
        <p className="text-sm muted">
          {t("videos", { count: conversation.videoCount })} · {formatTotalDuration(format, conversation.totalDuration)} · {t("participants", { count: conversation.participantCount })} · {t("lastActivity")}{" "}
          <RelativeTime iso={conversation.lastVideoAt} />
        </p>
        <div className="flex flex-wrap gap-2">
          <Link href={`/videos?conversationId=${encodeURIComponent(conversationId)}`} className="btn">{t("filter")}</Link>
        </div>
      </header>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,16rem)_minmax(0,1fr)]">
        <section aria-labelledby="participants-title" className="card h-fit p-4">
          <h2 id="participants-title" className="mb-2 font-medium">{t("participantsTitle")}</h2>
          <ul className="space-y-1.5 text-sm">
            {conversation.participants.map((p) => (
              <li key={p.fromWxId} className="flex items-center justify-between gap-2">
                <Link href={`/senders/${pathSegment(p.fromWxId)}`} className="min-w-0 truncate hover:underline">
                  <span className="font-medium">{p.nickName ?? p.fromWxId}</span>
                  <span className="block truncate font-mono text-xs muted">{p.fromWxId}</span>
                </Link>
                <span className="tabular-nums muted" title={t("videos", { count: p.videoCount })}>{p.videoCount}</span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="timeline-title" className="space-y-3">
          <h2 id="timeline-title" className="font-medium">{t("timeline")}</h2>
          <LiveVideoList key={conversationId} initial={items} filters={{ conversationId }} view="timeline" live={!page.cursor} empty={<p className="muted">{t("noneLeft")}</p>} />
          <Pager base={base} query="" nextCursor={nextCursor} isFirst={!page.cursor} />
        </section>
      </div>
    </div>
  );
}
