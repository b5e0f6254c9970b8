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
  return (
    <time dateTime={iso} title={formatExact(iso)} className={className} suppressHydrationWarning>
      {formatRelative(iso, current)}
    </time>
  );
}
