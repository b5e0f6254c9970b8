// One video as a card: preview (fixed ratio, no layout shift), duration, who, where, when.
import Link from "next/link";
import { useTranslations } from "next-intl";
import { PreviewImage } from "@/components/media/preview-image";
import { ArchiveBadge } from "@/components/archive/archive-badge";
import type { ArchiveState } from "@/lib/media/archive-states";
import type { VideoListItem } from "@/lib/videos/item";
import type { ConversationName } from "@/lib/conversations/names";
import { conversationTitle } from "../conversation-name";
import { middleTruncate } from "../id-text";
import { ConversationBadge, DirectionBadge } from "../conversation-badge";
import { formatDuration, pathSegment, videoHref } from "@/lib/format/format";
import { RelativeTime } from "../relative-time";
import { Highlighted } from "./highlight";

export function senderName(v: Pick<VideoListItem, "fromNickName" | "fromWxId">): string {
  return v.fromNickName?.trim() || v.fromWxId || "—";
}

/** The conversation as a list shows it: its name (label or participants) or, without one, its id cut in the middle. */
export function useConversationText(video: Pick<VideoListItem, "conversationId" | "conversationKind"> & { conversationName?: ConversationName }): string {
  const tn = useTranslations("names");
  return conversationTitle(tn, video.conversationKind, video.conversationName) ?? (video.conversationId ? middleTruncate(video.conversationId) : "—");
}

/** `select`: a checkbox for a list's selection, laid over the preview's corner. */
export function VideoCard({ video, fresh = false, highlight, context, select }: { video: VideoListItem & { archiveState?: ArchiveState | null; conversationName?: ConversationName }; fresh?: boolean; highlight?: string; context?: string; select?: React.ReactNode }) {
  const t = useTranslations("videoList");
  const name = senderName(video);
  const conversation = useConversationText(video);
  return (
    <article className={`card relative flex w-full flex-col overflow-hidden ${fresh ? "just-arrived" : ""}`} data-testid="video-card" data-video-id={video.id}>
      {select && <div className="absolute top-1.5 left-1.5 z-10">{select}</div>}
      <Link href={videoHref(video.id, context)} className="relative block focus-visible:outline-2 focus-visible:outline-sky-600" aria-label={t("videoFrom", { sender: name, duration: formatDuration(video.duration) })}>
        {/* One 3:4 frame for every card: an even grid, and no shift while previews load. */}
        <PreviewImage videoId={video.id} width={3} height={4} alt="" />
        <span className="absolute right-1.5 bottom-1.5 rounded bg-black/75 px-1.5 py-0.5 font-mono text-xs text-white">{formatDuration(video.duration)}</span>
      </Link>
      <div className="flex flex-1 flex-col gap-1.5 p-2.5 text-sm">
        <div className="min-w-0">
          <Link href={`/senders/${pathSegment(video.fromWxId)}`} className="block truncate font-medium hover:underline" data-testid="sender-nickname">
            <Highlighted text={name} term={highlight} />
          </Link>
          <span className="block truncate font-mono text-xs muted"><Highlighted text={video.fromWxId} term={highlight} /></span>
        </div>
        <div className="flex min-w-0 items-center gap-1.5">
          <ConversationBadge kind={video.conversationKind} />
          <Link href={`/conversations/${pathSegment(video.conversationId)}`} className="truncate text-xs hover:underline" title={video.conversationId} data-testid="conversation-name" data-data>
            <Highlighted text={conversation} term={highlight} />
          </Link>
        </div>
        <div className="mt-auto flex items-center justify-between gap-2 pt-1">
          <span className="flex items-center gap-1">
            <DirectionBadge direction={video.direction} />
            {video.archiveState && <ArchiveBadge state={video.archiveState} />}
          </span>
          <RelativeTime iso={video.sendTime} className="text-xs muted" />
        </div>
      </div>
    </article>
  );
}
