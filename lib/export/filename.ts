// The download's name says what it holds: the filters, then when it was taken.
import { TZDate } from "@date-fns/tz";
import { config } from "../config";
import { FILTER_NAMES, type VideoFilters } from "../videos/filters";
import type { ExportRequest, ExportTimes } from "./request";

const EXTENSIONS = { csv: "csv", ndjson: "ndjson", json: "json", zip: "zip" } as const;

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-12-08T000815Z` in UTC, `2026-12-08T000815+0800` in another zone; `day` alone: `2026-12-08`. */
function stamp(at: Date, zone: string, day = false): string {
  const d = new TZDate(at.getTime(), zone);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (day) return date;
  const offset = -d.getTimezoneOffset();
  const suffix = zone === "UTC" ? "Z" : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return `${date}T${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}${suffix}`;
}

function filterText(value: unknown): string {
  if (value instanceof Date) {
    // A date-only filter is that day in the dashboard's zone (lib/videos/filters.ts): whole days
    // there (and `to`'s end of day) read as the date the user picked.
    const zone = config().TZ;
    const d = new TZDate(value.getTime(), zone);
    const time = [d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()].join(":");
    return time === "0:0:0:0" || time === "23:59:59:999" ? stamp(value, zone, true) : stamp(value, "UTC");
  }
  return String(value);
}

/**
 * `videos_fromWxId-wxid_x_from-2024-09-01_2026-11-26T132635Z.csv`: letters (any script), digits,
 * `.`, `_`, `-` and `+` (an offset's sign) only, so it is safe on any file system. With tz=local the time it was taken is
 * the dashboard's (`2026-11-26T212635+0800`), like the times inside.
 */
export function exportFileName(request: Pick<ExportRequest, "format" | "filters"> & { gzip?: boolean; tz?: ExportTimes }, takenAt: Date): string {
  const parts = FILTER_NAMES.flatMap((name) => {
    const value = (request.filters as VideoFilters)[name];
    if (value === undefined) return [];
    // A selection names how many it holds, not 500 ids (which would crowd out the time it was taken).
    if (Array.isArray(value)) return [`selected-${value.length}`];
    return [`${name}-${filterText(value)}`];
  });
  const taken = stamp(takenAt, request.tz === "local" ? config().TZ : "UTC");
  const base = Array.from(["videos", ...parts, taken].join("_").replace(/[^\p{L}\p{N}._+-]+/gu, "-"))
    .slice(0, 200)
    .join("");
  return `${base}.${EXTENSIONS[request.format]}${request.gzip ? ".gz" : ""}`;
}

/** An attachment: the name as is in filename* (RFC 6266), an ASCII fallback for old clients. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._+-]/g, "-");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
