"use client";
// "5 minutes ago", kept current, with the exact time on hover (title) and for machines (dateTime).
import { useSyncExternalStore } from "react";
import { formatExact, formatRelative } from "./format";

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
  const current = useSyncExternalStore(subscribe, () => now, () => now);
  // The shared clock ticks every 15 s, so a video that arrived live since the last tick would read
  // "in 10 seconds": anything up to a minute ahead is "now". Further ahead is real clock skew, shown.
  const at = Date.parse(iso);
  const reference = at > current && at - current < 60_000 ? at : current;
  return (
    <time dateTime={iso} title={formatExact(iso)} className={className} suppressHydrationWarning>
      {formatRelative(iso, reference)}
    </time>
  );
}
