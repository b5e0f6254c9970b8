// Long durations in words for the reader's language ("3 hr 12 min", "3小时12分钟"), through the
// request's next-intl formatter so the server and the browser say the same.
import type { createFormatter } from "next-intl";

export type Formatter = ReturnType<typeof createFormatter>;

const unit = (format: Formatter, value: number, name: "second" | "minute" | "hour") =>
  format.number(value, { style: "unit", unit: name, unitDisplay: "short" });

export function formatTotalDuration(format: Formatter, totalSeconds: number): string {
  const s = Math.round(totalSeconds);
  if (s < 60) return unit(format, s, "second");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${unit(format, h, "hour")} ${unit(format, m, "minute")}` : unit(format, m, "minute");
}

/** A time with its date, in the dashboard's zone. */
export function formatExact(format: Formatter, iso: string): string {
  return format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "medium" });
}
