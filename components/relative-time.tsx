"use client";
// "5 minutes ago", kept current, with the exact time (in the dashboard's zone) on hover (title)
// and for machines (dateTime).
import { useSyncExternalStore } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { formatExact } from "@/lib/format/durations";

// One shared clock for every timestamp on the page, ticking every 15 s.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 15_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const format = useFormatter();
  const t = useTranslations("common");
  const current = useSyncExternalStore(subscribe, () => now, () => now);
  // The shared clock ticks every 15 s, so a video that arrived live since the last tick would read
  // "in 10 seconds": anything up to a minute ahead is "now". Further ahead is real clock skew, shown.
  const at = Date.parse(iso);
  const reference = at > current && at - current < 60_000 ? at : current;
  // The server's clock and the browser's differ by the page's age: the relative words may too.
  return (
    <time dateTime={iso} title={formatExact(format, iso)} className={className} suppressHydrationWarning>
      {Math.abs(at - reference) < 10_000 ? t("justNow") : format.relativeTime(at, reference)}
    </time>
  );
}
