"use client";
// "23:48 · 5 minutes ago": the clock time in the dashboard's zone and the words, kept current, with
// the exact time on hover (title) and for machines (dateTime).
//
// Against which clock: on the server, the request's time (next-intl's `now`, set per request in
// i18n/request.ts and handed to the browser with the page), so hydration renders the same text;
// right after hydration and on every tick, the browser's clock. Never a clock kept from when a
// module loaded: a server up for an hour would call a video that just arrived "in 1 hour".
import { useSyncExternalStore } from "react";
import { useFormatter, useNow, useTimeZone, useTranslations } from "next-intl";
import { formatExact } from "@/lib/format/durations";
import { clockTime, relativeWords } from "@/lib/format/times";

// One shared browser clock for every timestamp on the page, ticking every 15 s while any is shown.
let browserNow = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function tick() {
  browserNow = Date.now();
  for (const l of listeners) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    // The first timestamp after a while without any: the clock may be old, read it again.
    browserNow = Date.now();
    timer = setInterval(tick, 15_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** `upcoming`: the moment may lie ahead (a next attempt); otherwise it has happened, and ahead of the clock reads "just now". */
export function RelativeTime({ iso, className, upcoming = false }: { iso: string; className?: string; upcoming?: boolean }) {
  const format = useFormatter();
  const timeZone = useTimeZone() ?? "UTC";
  const t = useTranslations("common");
  const requestNow = useNow().getTime();
  const now = useSyncExternalStore(subscribe, () => browserNow, () => requestNow);
  const at = Date.parse(iso);
  return (
    <time dateTime={iso} title={formatExact(format, iso)} className={className}>
      <span data-clock>{clockTime(format, at, now, timeZone)}</span>
      {" · "}
      <span data-relative>{relativeWords(format, at, now, upcoming) ?? t("justNow")}</span>
    </time>
  );
}
