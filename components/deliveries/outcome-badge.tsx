// What became of a delivery, as a coloured word (the /deliveries list and a delivery's page).
import { useTranslations } from "next-intl";
import type { Outcome } from "@/lib/deliveries/list";

const OUTCOME_STYLE: Record<Outcome, string> = {
  stored: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  duplicate: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
  other_event: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  rejected: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
  quarantined: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
};

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  const t = useTranslations("deliveries");
  return <span data-badge className={`shrink-0 rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${OUTCOME_STYLE[outcome]}`}>{t(`outcomes.${outcome}`)}</span>;
}
