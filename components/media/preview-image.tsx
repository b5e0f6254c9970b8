"use client";
// A video's preview image, in a box of fixed aspect ratio (no layout shift while it loads).
// When the media endpoint refuses, its JSON reason is shown instead of a broken image.
import { useState } from "react";

export function PreviewImage({ videoId, width, height, alt }: { videoId: string; width: number; height: number; alt: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  const src = `/api/media/${videoId}/preview`;
  const ratio = width > 0 && height > 0 ? `${width} / ${height}` : "9 / 16";
  return (
    <div className="relative w-full overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800" style={{ aspectRatio: ratio }}>
      {failed === null ? (
        // eslint-disable-next-line @next/next/no-img-element -- served by our own media proxy, not optimisable
        <img
          src={src}
          alt={alt}
          loading="lazy"
          className="absolute inset-0 h-full w-full object-cover"
          onError={async () => {
            const reason = await fetch(src).then((r) => r.json()).then((b: { error?: string }) => b.error).catch(() => null);
            setFailed(reason ?? "preview unavailable");
          }}
        />
      ) : (
        <p className="absolute inset-0 flex items-center justify-center p-2 text-center text-xs text-zinc-600 dark:text-zinc-300">{failed}</p>
      )}
    </div>
  );
}
