"use client";
// The inline player. When the media endpoint refuses, its JSON reason is shown.
import { useState } from "react";

export function VideoPlayer({ videoId, width, height }: { videoId: string; width: number; height: number }) {
  const [failed, setFailed] = useState<string | null>(null);
  const src = `/api/media/${videoId}/video`;
  if (failed) {
    return (
      <p role="status" className="rounded bg-zinc-100 p-4 text-sm text-zinc-700 dark:bg-zinc-900 dark:text-zinc-300">
        Video unavailable: {failed}
      </p>
    );
  }
  return (
    <video
      data-testid="video-player"
      src={src}
      poster={`/api/media/${videoId}/preview`}
      controls
      preload="metadata"
      width={width || undefined}
      height={height || undefined}
      className="max-h-[70vh] w-auto max-w-full rounded bg-black"
      aria-label="Video"
      onError={async () => {
        const reason = await fetch(src, { headers: { Range: "bytes=0-0" } })
          .then((r) => (r.ok ? null : r.json().then((b: { error?: string }) => b.error ?? `HTTP ${r.status}`)))
          .catch(() => "could not reach the server");
        setFailed(reason ?? "the browser could not play this file");
      }}
    />
  );
}
