// The date-range presets of the range control (components/date-range.tsx), in the dashboard's zone
// (TZ). A range is two calendar days there, as the URL carries them (`from=2026-12-01&to=2026-12-08`):
// `from` is that day's 00:00 and `to` runs through the end of its day (lib/videos/filters.ts reads
// them so), which for a range ending today is "until now". Pure: the clock and the zone are passed in.
import { TZDate } from "@date-fns/tz";
import { dateOnlyIn } from "./zone";

export const RANGE_PRESETS = ["today", "yesterday", "last7Days", "last30Days", "thisMonth"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

/** Two days in the dashboard's zone, `YYYY-MM-DD`, first and last included. */
export type DayRange = { from: string; to: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day `at` falls on in `timeZone`, `days` later (negative: earlier), as `YYYY-MM-DD`. */
export function dayIn(at: Date, timeZone: string, days = 0): string {
  const d = new TZDate(at.getTime(), timeZone);
  if (days) d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The days of `preset` at `now` in `timeZone`: today; yesterday; the last 7 (or 30) days, today
 * included; this month, from its first day to today.
 */
export function presetRange(preset: RangePreset, now: Date, timeZone: string): DayRange {
  const today = dayIn(now, timeZone);
  switch (preset) {
    case "today":
      return { from: today, to: today };
    case "yesterday": {
      const yesterday = dayIn(now, timeZone, -1);
      return { from: yesterday, to: yesterday };
    }
    case "last7Days":
      return { from: dayIn(now, timeZone, -6), to: today };
    case "last30Days":
      return { from: dayIn(now, timeZone, -29), to: today };
    case "thisMonth":
      return { from: `${today.slice(0, 8)}01`, to: today };
  }
}

/** The instants a day range covers in `timeZone`: from 00:00 of its first day to 24:00 of its last (exclusive). */
export function rangeBounds(range: DayRange, timeZone: string): { start: Date; end: Date } {
  return { start: dateOnlyIn(range.from, timeZone), end: new Date(dateOnlyIn(range.to, timeZone, true).getTime() + 1) };
}

/** The preset the URL's `from`/`to` name at `now`, if any (a bookmarked "today" of last week names none). */
export function activePreset(from: string | null | undefined, to: string | null | undefined, now: Date, timeZone: string): RangePreset | null {
  if (!from || !to) return null;
  return RANGE_PRESETS.find((p) => {
    const r = presetRange(p, now, timeZone);
    return r.from === from && r.to === to;
  }) ?? null;
}

/** `from`/`to` as the date inputs show them: a calendar day, else nothing (an ISO instant is not a day). */
export function asDay(value: string | null | undefined): string | undefined {
  return value && DAY.test(value) ? value : undefined;
}
