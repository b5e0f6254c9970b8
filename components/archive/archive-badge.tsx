// The archive state of a video's file, as a small badge (cards, the video page): whether the
// video is kept, still to be fetched, or lost (expired link, failure).
import { useTranslations } from "next-intl";
import type { ArchiveState } from "@/lib/media/archive-states";

const TONE: Record<ArchiveState, string> = {
  archived: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200",
  pending: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200",
  expired: "bg-zinc-200 text-zinc-800 dark:bg-zinc-700 dark:text-zinc-100",
  failed: "bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-200",
};

export function ArchiveBadge({ state, title }: { state: ArchiveState; title?: string }) {
  const t = useTranslations("archive");
  return (
    <span data-badge className={`inline-flex shrink-0 items-center whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${TONE[state]}`} data-testid="archive-badge" data-state={state} title={title}>
      {t(`state.${state}`)}
    </span>
  );
}
