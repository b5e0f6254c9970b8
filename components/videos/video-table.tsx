// The compact view: one line per video.
import Link from "next/link";
import { useTranslations } from "next-intl";
import type { VideoListItem } from "@/lib/videos/item";
import type { ConversationName } from "@/lib/conversations/names";
import { ConversationBadge, DirectionBadge } from "../conversation-badge";
import { formatBytes, formatDuration, pathSegment, videoHref } from "@/lib/format/format";
import { RelativeTime } from "../relative-time";
import { Highlighted } from "./highlight";
import { ConversationCell } from "./conversation-cell";
import { senderName } from "./video-card";

/** `select`: a checkbox per row for a list's selection, in a first column. */
export function VideoTable({ videos, fresh, highlight, context, select }: { videos: (VideoListItem & { conversationName?: ConversationName })[]; fresh: Set<string>; highlight?: string; context?: string; select?: (v: VideoListItem) => React.ReactNode }) {
  const t = useTranslations("videoList");
  return (
    <div className="card relative overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{t("caption")}</caption>
        <thead className="border-b border-zinc-200 text-xs text-zinc-700 uppercase dark:border-zinc-800 dark:text-zinc-300">
          <tr>
            {select && <th scope="col" className="w-8 px-3 py-2"><span className="sr-only">{t("selectColumn")}</span></th>}
            <th scope="col" className="px-3 py-2">{t("when")}</th>
            <th scope="col" className="px-3 py-2">{t("sender")}</th>
            <th scope="col" className="px-3 py-2">{t("conversation")}</th>
            <th scope="col" className="px-3 py-2">{t("direction")}</th>
            <th scope="col" className="px-3 py-2 text-right">{t("duration")}</th>
            <th scope="col" className="px-3 py-2 text-right">{t("size")}</th>
            <th scope="col" className="px-3 py-2"><span className="sr-only">{t("open")}</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {videos.map((v) => (
            <tr key={v.id} data-testid="video-row" data-video-id={v.id} className={`row-linked ${fresh.has(v.id) ? "just-arrived" : ""}`}>
              {select && <td className="px-3 py-1.5">{select(v)}</td>}
              <td className="px-3 py-1.5 whitespace-nowrap"><RelativeTime iso={v.sendTime} /></td>
              <td className="max-w-56 px-3 py-1.5">
                <Link href={`/senders/${pathSegment(v.fromWxId)}`} className="block truncate font-medium hover:underline" data-testid="sender-nickname">
                  <Highlighted text={senderName(v)} term={highlight} />
                </Link>
                <span className="block truncate font-mono text-xs muted"><Highlighted text={v.fromWxId} term={highlight} /></span>
              </td>
              <td className="max-w-64 px-3 py-1.5">
                <span className="flex items-center gap-1.5">
                  <ConversationBadge kind={v.conversationKind} />
                  <ConversationCell video={v} highlight={highlight} />
                </span>
              </td>
              <td className="px-3 py-1.5 whitespace-nowrap"><DirectionBadge direction={v.direction} /></td>
              <td className="px-3 py-1.5 text-right font-mono">{formatDuration(v.duration)}</td>
              <td className="px-3 py-1.5 text-right whitespace-nowrap muted">{formatBytes(v.size)}</td>
              <td className="px-3 py-1.5 text-right">
                <Link href={videoHref(v.id, context)} className="link row-link whitespace-nowrap">{t("open")}<span className="sr-only"> {t("openLabel", { id: v.id, sender: senderName(v) })}</span></Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
