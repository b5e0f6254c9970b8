import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";
import { DeleteButton } from "@/components/delete-button";
import { ConversationBadge } from "@/components/conversation-badge";
import { ConversationLink } from "@/components/conversation-link";
import { IdText } from "@/components/id-text";
import { formatExact, formatTotalDuration } from "@/lib/format/durations";
import { pathSegment } from "@/lib/format/format";
import type { SearchParams } from "@/lib/pages/params";
import { Pager } from "@/components/pager";
import { RelativeTime } from "@/components/relative-time";
import { readPage } from "@/components/summary-page";
import { decodeSegment } from "@/lib/pages/params";
import { LiveVideoList } from "@/components/videos/live-video-list";
import { contextQuery } from "@/lib/pages/video-context";
import { db } from "@/lib/db/client";
import { getSender } from "@/lib/senders/list";
import { NO_FILTERS } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: SearchParams };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeSegment((await params).id).slice(0, 40) };
}

export default async function SenderPage({ params, searchParams }: Props) {
  const fromWxId = decodeSegment((await params).id);
  const sender = await getSender(db(), fromWxId);
  if (!sender) notFound();
  const page = await readPage(searchParams);
  const { items, nextCursor } = await listVideos(db(), { ...NO_FILTERS, fromWxId }, page);
  const [t, format] = await Promise.all([getTranslations("sender"), getFormatter()]);
  return (
    <div className="space-y-6">
      <Link href="/senders" className="link text-sm">← {t("all")}</Link>
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold break-words" data-testid="sender-nickname">{sender.nickName ?? fromWxId}</h1>
        <p className="text-sm muted"><IdText id={fromWxId} /></p>
        <p className="text-sm muted">
          {t("videos", { count: sender.videoCount })} · {formatTotalDuration(format, sender.totalDuration)} · {t("conversations", { count: sender.conversationCount })} · {t("lastVideo")}{" "}
          <RelativeTime iso={sender.lastVideoAt} />
        </p>
        <div className="flex flex-wrap gap-2 pt-1">
          <Link href={`/videos?fromWxId=${encodeURIComponent(fromWxId)}`} className="btn">{t("filter")}</Link>
          <DeleteButton kind="sender" endpoint={`/api/senders/${encodeURIComponent(fromWxId)}/videos`} then="/senders" senders={[sender.nickName ?? fromWxId]} />
        </div>
      </header>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,18rem)_minmax(0,1fr)]">
        <div className="space-y-4">
          <section aria-labelledby="nicknames-title" className="card p-4">
            <h2 id="nicknames-title" className="mb-2 font-medium">{t("nicknames")}</h2>
            <ol className="space-y-1.5 text-sm">
              {sender.nicknames.map((n) => (
                <li key={n.nickName} data-testid="nickname">
                  <span className="font-medium break-words">{n.nickName}</span>
                  <span className="block text-xs muted">
                    {t("videos", { count: n.videoCount })} · {formatExact(format, n.firstSeenAt)} – {formatExact(format, n.lastSeenAt)}
                  </span>
                </li>
              ))}
              {sender.nicknames.length === 0 && <li className="muted">{t("noNickname")}</li>}
            </ol>
          </section>
          <section aria-labelledby="conversations-title" className="card p-4">
            <h2 id="conversations-title" className="mb-2 font-medium">{t("conversationsTitle")}</h2>
            <ul className="space-y-1.5 text-sm">
              {sender.conversations.map((c) => (
                <li key={c.conversationId} className="flex items-center justify-between gap-2">
                  <span className="flex min-w-0 items-center gap-1.5">
                    <ConversationBadge kind={c.conversationKind} />
                    <ConversationLink conversationId={c.conversationId} kind={c.conversationKind} name={c.conversationName} />
                  </span>
                  <span className="tabular-nums muted">{c.videoCount}</span>
                </li>
              ))}
            </ul>
          </section>
        </div>
        <section aria-labelledby="videos-title" className="space-y-3">
          <h2 id="videos-title" className="font-medium">{t("videosTitle")}</h2>
          <LiveVideoList key={fromWxId} initial={items} filters={{ fromWxId }} view="grid" context={contextQuery({ kind: "sender", id: fromWxId })} live={!page.cursor} empty={<p className="muted">{t("noneLeft")}</p>} />
          <Pager base={`/senders/${pathSegment(fromWxId)}`} query="" nextCursor={nextCursor} isFirst={!page.cursor} />
        </section>
      </div>
    </div>
  );
}
