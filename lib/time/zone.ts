// Calendar arithmetic in the dashboard's one time zone (TZ): where its days begin, whatever the
// server's own zone. @date-fns/tz does the offsets, daylight saving included.
import { TZDate } from "@date-fns/tz";

/** Midnight, in `timeZone`, of the day `at` falls on there. */
export function startOfDayIn(at: Date, timeZone: string): Date {
  const d = new TZDate(at.getTime(), timeZone);
  d.setHours(0, 0, 0, 0);
  return new Date(d.getTime());
}

/** The same wall-clock time `days` later in `timeZone` (a day is not always 24 hours there). */
export function addDaysIn(at: Date, days: number, timeZone: string): Date {
  const d = new TZDate(at.getTime(), timeZone);
  d.setDate(d.getDate() + days);
  return new Date(d.getTime());
}

/**
 * "2026-11-29" as the first (or, with `endOfDay`, the last) millisecond of that day in `timeZone`;
 * an Invalid Date for a day the calendar does not have ("2024-13-45" does not roll over).
 */
export function dateOnlyIn(date: string, timeZone: string, endOfDay = false): Date {
  const [y, m, d] = date.split("-").map(Number);
  const start = new TZDate(y, m - 1, d, timeZone);
  if (start.getFullYear() !== y || start.getMonth() !== m - 1 || start.getDate() !== d) return new Date(NaN);
  if (!endOfDay) return new Date(start.getTime());
  return new Date(addDaysIn(new Date(start.getTime()), 1, timeZone).getTime() - 1);
}
