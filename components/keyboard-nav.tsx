"use client";
// Left/right arrows go to the previous/next item, unless the reader is typing or using a player.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function KeyboardNav({ previous, next }: { previous: string | null; next: string | null }) {
  const router = useRouter();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, video, audio, [contenteditable]")) return;
      const href = e.key === "ArrowLeft" ? previous : e.key === "ArrowRight" ? next : null;
      if (href) {
        e.preventDefault();
        router.push(href);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [previous, next, router]);
  return null;
}
