"use client";
import { useTranslations } from "next-intl";

// "N new videos": shown instead of moving content under a reader who has scrolled away.
export function NewItemsPill({ count, onShow }: { count: number; onShow: () => void }) {
  const t = useTranslations("videoList");
  if (count === 0) return null;
  return (
    <button
      type="button"
      onClick={onShow}
      data-testid="new-videos-pill"
      className="fixed top-16 left-1/2 z-30 -translate-x-1/2 whitespace-nowrap rounded-full bg-sky-700 px-4 py-2 text-sm font-medium text-white shadow-lg hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
    >
      <span aria-hidden="true">↑ </span>
      {t("newVideos", { count })}
    </button>
  );
}

/** Whether the reader is away from the top, where new items land. */
export function scrolledAway(): boolean {
  return typeof window !== "undefined" && window.scrollY > 240;
}
