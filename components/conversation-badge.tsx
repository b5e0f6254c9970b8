// Group (R:...) and private (S:...) conversations told apart at a glance: colour, icon and word.
import { useTranslations } from "next-intl";
import type { ConversationKind } from "@/lib/videos/item";
import { Icon } from "./icons";

const STYLES: Record<ConversationKind, { icon: "group" | "person" | "chat"; className: string }> = {
  group: { icon: "group", className: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200" },
  private: { icon: "person", className: "bg-violet-100 text-violet-900 dark:bg-violet-950 dark:text-violet-200" },
  other: { icon: "chat", className: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200" },
};

export function ConversationBadge({ kind }: { kind: ConversationKind }) {
  const t = useTranslations("badges");
  const s = STYLES[kind];
  return (
    <span data-badge className={`inline-flex shrink-0 items-center gap-1 whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${s.className}`}>
      <Icon name={s.icon} />
      {t(kind)}
    </span>
  );
}

export function DirectionBadge({ direction }: { direction: "in" | "out" }) {
  const t = useTranslations("badges");
  return direction === "out" ? (
    <span data-badge className="inline-flex shrink-0 items-center whitespace-nowrap rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">
      <span aria-hidden="true">↑&nbsp;</span>{t("out")}
    </span>
  ) : (
    <span data-badge className="inline-flex shrink-0 items-center whitespace-nowrap rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
      <span aria-hidden="true">↓&nbsp;</span>{t("in")}
    </span>
  );
}
