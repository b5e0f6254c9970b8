// Language-neutral display formats (pure, usable on the server and in the browser); words and
// times in the reader's language and the dashboard's zone are in durations.ts, through next-intl.

/** Seconds as m:ss (h:mm:ss past an hour). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Host only: full CDN URLs carry signed parameters and never go on a page. */
export function urlHost(url: string | null | undefined): string {
  if (!url) return "—";
  try {
    return new URL(url).host;
  } catch {
    return "(not a URL)";
  }
}

export function pathSegment(id: string): string {
  return encodeURIComponent(id);
}

/** A video's page, carrying the list it was opened from (`context`: a query string, lib/pages/video-context.ts). */
export function videoHref(id: string, context?: string): string {
  return `/videos/${id}${context ? `?${context}` : ""}`;
}
