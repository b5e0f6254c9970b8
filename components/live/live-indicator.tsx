"use client";
import { useTranslations } from "next-intl";
import { useLiveStatus } from "./live-provider";

export function LiveIndicator() {
  const t = useTranslations("live");
  const status = useLiveStatus();
  return (
    <span
      role="status"
      data-testid="live-indicator"
      data-status={status}
      title={status === "live" ? t("liveTitle") : t("pausedTitle")}
      data-badge
      className="inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-full border border-zinc-300 px-2.5 py-1 text-xs font-medium dark:border-zinc-700"
    >
      <span
        aria-hidden="true"
        className={`h-2 w-2 rounded-full ${status === "live" ? "bg-emerald-500 motion-safe:animate-pulse" : status === "connecting" ? "bg-zinc-400" : "bg-amber-500"}`}
      />
      {t(status)}
    </span>
  );
}
