"use client";
// "Play all": one player that goes through the list's videos in the order shown, moving to the
// next one when a video ends (or, after a moment, when it cannot be played).
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import type { VideoListItem } from "@/lib/videos/item";
import { formatDuration, videoHref } from "@/lib/format/format";
import { RelativeTime } from "../relative-time";
import { senderName } from "./video-card";

/** How long the "cannot be played" notice stays before the next video. */
const SKIP_AFTER_MS = 2000;

type Playable = Pick<VideoListItem, "id" | "fromWxId" | "fromNickName" | "sendTime" | "duration" | "width" | "height">;

export function PlayAll({ videos, context, more }: { videos: Playable[]; context?: string; more: boolean }) {
  const t = useTranslations("watch");
  const [index, setIndex] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);
  const player = useRef<HTMLVideoElement>(null);
  const current = index === null ? null : videos[index];

  // A video that cannot be played: say so, then go on.
  useEffect(() => {
    if (!failed || index === null) return;
    const timer = setTimeout(() => go(index + 1), SKIP_AFTER_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- go only reads index, given here
  }, [failed, index]);

  function go(to: number) {
    setFailed(false);
    setIndex(Math.max(0, Math.min(to, videos.length)));
  }

  if (videos.length === 0) return null;
  if (index === null) {
    return (
      <button type="button" className="btn" onClick={() => go(0)} data-testid="play-all">
        <span aria-hidden="true">▶</span> {t("playAll")}
      </button>
    );
  }
  const ratio = current && current.width > 0 && current.height > 0 ? current.width / current.height : 16 / 9;
  return (
    <section aria-label={t("player")} className="card space-y-2 p-3" data-testid="play-all-player" data-video-id={current?.id ?? ""}>
      {current ? (
        <>
          <video
            key={current.id}
            ref={player}
            data-testid="play-all-video"
            data-video-id={current.id}
            src={`/api/media/${current.id}/video`}
            poster={`/api/media/${current.id}/preview`}
            controls
            autoPlay
            playsInline
            preload="auto"
            style={{ aspectRatio: `${ratio}`, maxWidth: `min(42rem, calc(60vh * ${ratio}))` }}
            className="h-auto w-full rounded bg-black object-contain"
            aria-label={t("nowPlaying", { position: index + 1, total: videos.length })}
            onEnded={() => go(index + 1)}
            onError={() => setFailed(true)}
          />
          <p className="text-sm" role="status" aria-live="polite">
            <span className="font-medium">{t("nowPlaying", { position: index + 1, total: videos.length })}</span>
            {" · "}
            {senderName(current)} · <RelativeTime iso={current.sendTime} className="muted" /> · <span className="font-mono">{formatDuration(current.duration)}</span>
          </p>
          {failed && <p className="text-sm text-amber-800 dark:text-amber-300" data-testid="play-all-skipping">{t("unplayable", { position: index + 1 })}</p>}
        </>
      ) : (
        <p className="text-sm" role="status" data-testid="play-all-finished">
          {t("finished", { total: videos.length })} {more ? t("morePages") : ""}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className="btn" onClick={() => go(index - 1)} disabled={index === 0}>
          <span aria-hidden="true">←</span> {t("previous")}
        </button>
        <button type="button" className="btn" onClick={() => go(index + 1)} disabled={!current} data-testid="play-all-next">
          {t("next")} <span aria-hidden="true">→</span>
        </button>
        <button type="button" className="btn" onClick={() => setIndex(null)}>{t("stop")}</button>
        {current && <Link href={videoHref(current.id, context)} className="link text-sm">{t("open")}</Link>}
      </div>
    </section>
  );
}
