"use client";
// The inline player, seekable (the media endpoint answers Range requests). When the endpoint
// refuses, its reason is said instead of a dead player, the server's technical text in a details block.
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { mediaFailure, useFailureWords, type Failure } from "./media-failure";

export function VideoPlayer({ videoId, width, height }: { videoId: string; width: number; height: number }) {
  const t = useTranslations("media");
  const words = useFailureWords();
  const w = useTranslations("plain");
  const [failed, setFailed] = useState<Failure | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const src = `/api/media/${videoId}/video`;
  const ratio = width > 0 && height > 0 ? width / height : 16 / 9;
  const onError = () => void mediaFailure(src).then(setFailed);
  // A load that failed before React hydrated fired its error event with no listener attached.
  useEffect(() => {
    if (video.current?.error) onError();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on mount
  }, []);
  if (failed) {
    const said = words(failed);
    return (
      <div role="status" data-testid="video-unavailable" className="rounded bg-zinc-100 p-4 text-sm text-zinc-700 dark:bg-zinc-900 dark:text-zinc-300">
        <p>{t("videoUnavailable", { reason: said.sentence })}</p>
        {said.detail ? (
          <details className="mt-2 text-xs">
            <summary className="cursor-pointer">{w("technicalDetail")}</summary>
            <code data-data className="mt-1 block break-words">{said.detail}</code>
          </details>
        ) : null}
      </div>
    );
  }
  return (
    <video
      ref={video}
      data-testid="video-player"
      src={src}
      poster={`/api/media/${videoId}/preview`}
      controls
      playsInline
      preload="metadata"
      width={width || undefined}
      height={height || undefined}
      // Sized by the page, not by the (often tiny) intrinsic size; the box keeps the video's shape.
      style={{ aspectRatio: `${ratio}`, maxWidth: `min(42rem, calc(70vh * ${ratio}))` }}
      className="h-auto w-full rounded bg-black object-contain"
      aria-label={t("player")}
      onError={onError}
    />
  );
}
