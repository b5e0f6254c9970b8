// One conversation's videos along a time line, grouped by day.
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { PreviewImage } from "@/components/media/preview-image";
import type { VideoListItem } from "@/lib/videos/item";
import { DirectionBadge } from "../conversation-badge";
import { formatDuration, pathSegment, videoHref } from "@/lib/format/format";
import { RelativeTime } from "../relative-time";
import { senderName } from "./video-card";


export function VideoTimeline({ videos, fresh, context }: { videos: VideoListItem[]; fresh: Set<string>; context?: string }) {
  const t = useTranslations("videoList");
  const format = useFormatter();
  // Days of the dashboard's zone, named in the reader's language.
  const dayOf = (iso: string) => format.dateTime(new Date(iso), { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const days: { day: string; videos: VideoListItem[] }[] = [];
  for (const v of videos) {
    const day = dayOf(v.sendTime);
    if (days.at(-1)?.day !== day) days.push({ day, videos: [] });
    days.at(-1)!.videos.push(v);
  }
  return (
    <div className="space-y-4">
      {days.map(({ day, videos }) => (
        <section key={day}>
          <h3 className="mb-2 text-sm font-medium muted">{day}</h3>
          <ol className="space-y-3 border-l-2 border-zinc-200 pl-4 dark:border-zinc-800">
            {videos.map((v) => (
              <li key={v.id} data-testid="video-row" data-video-id={v.id} className={`card relative flex gap-3 p-2 ${fresh.has(v.id) ? "just-arrived" : ""}`}>
                <span aria-hidden="true" className="absolute top-4 -left-[1.4rem] h-2.5 w-2.5 rounded-full bg-sky-600" />
                <Link href={videoHref(v.id, context)} className="relative w-20 shrink-0" aria-label={t("videoFrom", { sender: senderName(v), duration: formatDuration(v.duration) })}>
                  <PreviewImage videoId={v.id} width={v.width} height={v.height} alt="" />
                  <span className="absolute right-1 bottom-1 rounded bg-black/75 px-1 font-mono text-[10px] text-white">{formatDuration(v.duration)}</span>
                </Link>
                <div className="min-w-0 space-y-1 text-sm">
                  <Link href={`/senders/${pathSegment(v.fromWxId)}`} className="block truncate font-medium hover:underline" data-testid="sender-nickname">{senderName(v)}</Link>
                  <span className="block truncate font-mono text-xs muted">{v.fromWxId}</span>
                  <div className="flex flex-wrap items-center gap-2">
                    <DirectionBadge direction={v.direction} />
                    <RelativeTime iso={v.sendTime} className="text-xs muted" />
                  </div>
                </div>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
