// What an export is asked for: the shared video filters plus the format and its options, parsed
// from a query string (the API) or from command-line flags turned into one (scripts/export.ts).
import { z } from "zod";
import { parseVideoFilters, type VideoFilters } from "../videos/filters";
import { firstValues, ParamError, parseParams } from "../params";

export const EXPORT_FORMATS = ["csv", "ndjson", "json", "zip"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The formats PostgreSQL's COPY writes by itself; a zip holds one of them (videos.csv) and the media. */
export type CopyFormat = Exclude<ExportFormat, "zip">;

const flag = z
  .enum(["", "0", "1", "false", "true"], { error: "expected 1 or 0" })
  .optional()
  .transform((v) => v === "1" || v === "true");

export const exportOptionsSchema = z
  .object({
    format: z
      .enum(EXPORT_FORMATS, { error: `must be one of ${EXPORT_FORMATS.join(", ")}` })
      .optional()
      .transform((v) => v ?? "csv"),
    /** A UTF-8 byte order mark first, so Excel reads the CSV as UTF-8 (CSV only). */
    bom: flag,
    includeSecrets: flag,
    /** The file gzipped (`.csv.gz`, ...): several times smaller over a slow link, for some CPU. */
    gzip: flag,
    /**
     * How times are written: `utc` (default, what scripts have always read: `2024-09-20T10:03:47.676Z`)
     * or `local`, the dashboard's zone (TZ) with its offset, as the pages show them: `2024-09-20T18:03:47+08:00`.
     */
    tz: z
      .enum(["utc", "local"], { error: "must be utc or local" })
      .optional()
      .transform((v) => v ?? "utc"),
    /** CSV cells exactly as stored: no `'` before a leading `=`, `+`, `-`, `@`, tab or CR (columns.ts). */
    raw: flag,
  })
  .superRefine((o, ctx) => {
    // A zip already compresses its CSV files; the videos in it would not get smaller.
    if (o.format === "zip" && o.gzip) ctx.addIssue({ code: "custom", path: ["gzip"], message: "does not apply to format=zip" });
  });

export const EXPORT_OPTION_NAMES = ["format", "bom", "includeSecrets", "gzip", "raw", "tz"] as const;

export type ExportTimes = ExportRequest["tz"];

export type ExportRequest = z.infer<typeof exportOptionsSchema> & { filters: VideoFilters };

/** Filters and options together; every bad parameter is named in one 400. */
export function parseExportRequest(params: URLSearchParams): ExportRequest {
  const issues: ParamError["issues"] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      issues.push(...err.issues);
      return undefined;
    }
  };
  const options = attempt(() => parseParams(exportOptionsSchema, firstValues(params, EXPORT_OPTION_NAMES)));
  const filters = attempt(() => parseVideoFilters(params));
  if (!options || !filters) {
    throw new ParamError(`bad parameters: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
  return { ...options, filters };
}
