// A moment as people read it in a list: the clock time in the dashboard's zone ("23:48", with the
// day when it is not today there) and how long ago it was ("5 minutes ago"), both against a given
// `now`: the request's time on the server, the browser's clock after hydration
// (components/relative-time.tsx). Pure, so the server, the browser and the tests agree.
import type { Formatter } from "./durations";
import { TZDate } from "@date-fns/tz";
import { startOfDayIn } from "@/lib/time/zone";

/** Closer to `now` than this reads "just now". */
const JUST_NOW_MS = 10_000;

/**
 * "5 minutes ago", or null for "just now": anything within 10 s, and anything ahead of `now` unless
 * the moment is `upcoming` (a next attempt). A video, a callback or a delivery has happened: when it
 * looks ahead, the clocks disagree (the provider's, the browser's), and "in 10 minutes" would be wrong.
 */
export function relativeWords(format: Formatter, at: number, now: number, upcoming = false): string | null {
  if (at > now && !upcoming) return null;
  if (Math.abs(at - now) < JUST_NOW_MS) return null;
  return format.relativeTime(at, now);
}

/** "23:48" when `at` falls on `now`'s day in `timeZone`, "12月6日 23:48" / "Dec 6, 23:48" in another day of its year, with the year otherwise. */
export function clockTime(format: Formatter, at: number, now: number, timeZone: string): string {
  const time = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } as const;
  if (startOfDayIn(new Date(at), timeZone).getTime() === startOfDayIn(new Date(now), timeZone).getTime()) {
    return format.dateTime(at, time);
  }
  const sameYear = new TZDate(at, timeZone).getFullYear() === new TZDate(now, timeZone).getFullYear();
  return format.dateTime(at, { ...(sameYear ? {} : { year: "numeric" }), month: "short", day: "numeric", ...time });
}
