import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { ConversationBadge } from "@/components/conversation-badge";
import { conversationTitle } from "@/components/conversation-name";
import { IdText } from "@/components/id-text";
import { LabelEditor } from "@/components/label-editor";
import { formatTotalDuration } from "@/lib/format/durations";
import { pathSegment } from "@/lib/format/format";
import { Pager } from "@/components/pager";
import { RelativeTime } from "@/components/relative-time";
import { readPage } from "@/components/summary-page";
import { decodeSegment } from "@/lib/pages/params";
import { LiveVideoList } from "@/components/videos/live-video-list";
import type { SearchParams } from "@/lib/pages/params";
import { getConversation } from "@/lib/conversations/list";
import { db } from "@/lib/db/client";
import { NO_FILTERS } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";
import { contextQuery, watchOrder } from "@/lib/pages/video-context";
import { toURLSearchParams } from "@/lib/pages/params";
import { PlayAll } from "@/components/videos/play-all";

function OrderLink({ label, active, href }: { label: string; active: boolean; href: string }) {
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={`px-3 py-1.5 text-sm font-medium whitespace-nowrap first:rounded-l last:rounded-r ${active ? "bg-zinc-200 dark:bg-zinc-800" : "hover:bg-zinc-100 dark:hover:bg-zinc-900"}`}
    >
      {label}
    </Link>
  );
}

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: SearchParams };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const conversationId = decodeSegment((await params).id);
  const [conversation, tn] = await Promise.all([getConversation(db(), conversationId), getTranslations("names")]);
  const title = conversation && conversationTitle(tn, conversation.conversationKind, conversation.conversationName);
  return { title: (title ?? conversationId).slice(0, 60) };
}

export default async function ConversationPage({ params, searchParams }: Props) {
  const conversationId = decodeSegment((await params).id);
  const conversation = await getConversation(db(), conversationId);
  if (!conversation) notFound();
  const page = await readPage(searchParams);
  // Watched newest first (the lists' order) or oldest first, kept in the URL: order=asc.
  const order = watchOrder(await toURLSearchParams(searchParams));
  const filters = { ...NO_FILTERS, conversationId };
  const { items, nextCursor } = await listVideos(db(), filters, page, { order });
  const base = `/conversations/${pathSegment(conversationId)}`;
  const context = contextQuery({ kind: "conversation", id: conversationId, order });
  const [t, tw, tn, format] = await Promise.all([getTranslations("conversation"), getTranslations("watch"), getTranslations("names"), getFormatter()]);
  const title = conversationTitle(tn, conversation.conversationKind, conversation.conversationName);
  return (
    <div className="space-y-6">
      <Link href="/conversations" className="link text-sm">← {t("all")}</Link>
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <ConversationBadge kind={conversation.conversationKind} />
          {title ? (
            <h1 className="text-xl font-semibold break-all" data-testid="conversation-title" data-data>{title}</h1>
          ) : (
            <h1 className="font-mono text-xl font-semibold break-all" data-testid="conversation-title" data-data>{conversationId}</h1>
          )}
        </div>
        <IdText id={conversationId} className="muted" />
        <p className="text-sm muted">
          {t("videos", { count: conversation.videoCount })} · {formatTotalDuration(format, conversation.totalDuration)} · {t("participants", { count: conversation.participantCount })} · {t("lastActivity")}{" "}
          <RelativeTime iso={conversation.lastVideoAt} />
        </p>
        <div className="flex flex-wrap gap-2">
          <Link href={`/videos?conversationId=${encodeURIComponent(conversationId)}`} className="btn">{t("filter")}</Link>
        </div>
        <LabelEditor kind="conversation" id={conversationId} label={conversation.conversationName.label} />
      </header>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,16rem)_minmax(0,1fr)]">
        <section aria-labelledby="participants-title" className="card h-fit p-4">
          <h2 id="participants-title" className="mb-2 font-medium">{t("participantsTitle")}</h2>
          <ul className="space-y-1.5 text-sm">
            {conversation.participants.map((p) => (
              <li key={p.fromWxId} className="flex items-center justify-between gap-2" data-testid="participant">
                {/* The id beside the link, not in it: its copy button is a button of its own. */}
                <div className="min-w-0">
                  <Link href={`/senders/${pathSegment(p.fromWxId)}`} className="block truncate font-medium hover:underline">
                    {p.nickName ?? p.fromWxId}
                  </Link>
                  <IdText id={p.fromWxId} max={20} className="muted" />
                </div>
                <span className="tabular-nums muted" title={t("videos", { count: p.videoCount })}>{p.videoCount}</span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="timeline-title" className="space-y-3">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h2 id="timeline-title" className="font-medium">{t("timeline")}</h2>
            <div className="flex rounded border border-zinc-300 dark:border-zinc-700" role="group" aria-label={tw("order")}>
              <OrderLink label={tw("newestFirst")} active={order === "desc"} href={base} />
              <OrderLink label={tw("oldestFirst")} active={order === "asc"} href={`${base}?order=asc`} />
            </div>
          </div>
          <PlayAll key={`${order}|${page.cursor ? "more" : ""}`} videos={items} context={context} more={nextCursor !== null} />
          <LiveVideoList
            key={`${conversationId}|${order}`}
            initial={items}
            filters={{ conversationId }}
            view="timeline"
            order={order}
            context={context}
            // Newest first, new videos join the first page; oldest first, the last one.
            live={order === "asc" ? !nextCursor : !page.cursor}
            empty={<p className="muted">{t("noneLeft")}</p>}
          />
          <Pager base={base} query={order === "asc" ? "order=asc" : ""} nextCursor={nextCursor} isFirst={!page.cursor} ordered={order === "asc" ? "name" : "time"} />
        </section>
      </div>
    </div>
  );
}
