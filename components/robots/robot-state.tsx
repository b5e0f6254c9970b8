// A robot's state as a badge: "Active", or "Silent since <time>" in the dashboard's zone.
import { useFormatter, useTranslations } from "next-intl";
import type { RobotActivity } from "@/lib/robots/list";

export function RobotState({ state, silentSince }: { state: RobotActivity; silentSince: string | null }) {
  const t = useTranslations("robots");
  const format = useFormatter();
  const silent = state === "silent";
  return (
    <span
      data-testid="robot-state"
      data-state={state}
      data-badge
      className={`inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${
        silent ? "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200" : "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
      }`}
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${silent ? "bg-amber-500" : "bg-emerald-500"}`} />
      {silent && silentSince ? t("silentSince", { time: format.dateTime(new Date(silentSince), { dateStyle: "medium", timeStyle: "short" }) }) : t(state)}
    </span>
  );
}
