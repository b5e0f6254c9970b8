"use client";
// A video's preview image, in a box of fixed aspect ratio (no layout shift while it loads).
// When the media endpoint refuses, its reason is said instead of a broken image (the server's
// technical text on hover).
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { mediaFailure, useFailureWords, type Failure } from "./media-failure";

export function PreviewImage({ videoId, width, height, alt }: { videoId: string; width: number; height: number; alt: string }) {
  const t = useTranslations("media");
  const words = useFailureWords();
  const [failed, setFailed] = useState<Failure | null>(null);
  const img = useRef<HTMLImageElement>(null);
  const src = `/api/media/${videoId}/preview`;
  const ratio = width > 0 && height > 0 ? `${width} / ${height}` : "9 / 16";
  const onError = () => void mediaFailure(src).then(setFailed);
  const said = failed ? words(failed) : null;
  // An image that failed before React hydrated fired its error event with no listener attached.
  useEffect(() => {
    const el = img.current;
    if (el && el.complete && el.naturalWidth === 0) onError();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on mount
  }, []);
  return (
    <div className="relative w-full overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800" style={{ aspectRatio: ratio }}>
      {said === null ? (
        // eslint-disable-next-line @next/next/no-img-element -- served by our own media proxy, not optimisable
        <img ref={img} src={src} alt={alt} loading="lazy" referrerPolicy="no-referrer" className="absolute inset-0 h-full w-full object-cover" onError={onError} />
      ) : (
        <p
          data-testid="preview-unavailable"
          title={said.detail ?? undefined}
          className="absolute inset-0 flex flex-col items-center justify-center gap-1 p-2 text-center text-xs text-zinc-600 dark:text-zinc-300"
        >
          <span aria-hidden="true" className="text-lg">
            ⚠
          </span>
          <span className="line-clamp-4">{t("previewUnavailable", { reason: said.sentence })}</span>
        </p>
      )}
    </div>
  );
}
