// The download's name says what it holds: the filters, then when it was taken.
import { FILTER_NAMES, type VideoFilters } from "../videos/filters";
import type { ExportRequest } from "./request";

const EXTENSIONS = { csv: "csv", ndjson: "ndjson", json: "json" } as const;

function filterText(value: unknown): string {
  if (value instanceof Date) {
    const iso = value.toISOString();
    // Whole days (and `to`'s end of day) read as the date a user typed.
    return /T00:00:00\.000Z$|T23:59:59\.999Z$/.test(iso) ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, "Z").replace(/:/g, "");
  }
  return String(value);
}

/**
 * `videos_fromWxId-wxid_x_from-2024-09-01_2026-11-26T132635Z.csv`: letters (any script), digits,
 * `.`, `_` and `-` only, so it is safe on any file system.
 */
export function exportFileName(request: Pick<ExportRequest, "format" | "filters"> & { gzip?: boolean }, takenAt: Date): string {
  const parts = FILTER_NAMES.flatMap((name) => {
    const value = (request.filters as VideoFilters)[name];
    return value === undefined ? [] : [`${name}-${filterText(value)}`];
  });
  const stamp = takenAt.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/:/g, "");
  const base = Array.from(["videos", ...parts, stamp].join("_").replace(/[^\p{L}\p{N}._-]+/gu, "-"))
    .slice(0, 200)
    .join("");
  return `${base}.${EXTENSIONS[request.format]}${request.gzip ? ".gz" : ""}`;
}

/** An attachment: the name as is in filename* (RFC 6266), an ASCII fallback for old clients. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, "-");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
