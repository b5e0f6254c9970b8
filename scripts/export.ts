// npm run export -- --format csv --from 2024-09-01 --fromWxId wxid_x > out.csv
// npm run export -- --format zip --fromWxId wxid_x > out.zip
// The same export as GET /api/export, read straight from DATABASE_URL (and, for a zip, the media
// store: MEDIA_STORE, DATA_DIR, S3_*) and written to stdout: for scripts and cron. Flags are
// named like the API's parameters.
import "./env";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { ConfigError, parseConfig, type Config } from "../lib/config";
import { createPool } from "../lib/db/client";
import { EXPORT_FORMATS, parseExportRequest } from "../lib/export/request";
import { openExport } from "../lib/export/stream";
import { openZipExport } from "../lib/export/zip";
import { FILTER_NAMES } from "../lib/videos/filters";
import { ParamError } from "../lib/params";

const USAGE = `usage: npm run export -- [--format ${EXPORT_FORMATS.join("|")}] [--bom] [--tz utc|local] [--includeSecrets] [--gzip] [filters] > file
filters: ${FILTER_NAMES.map((n) => `--${n} <value>`).join(" ")}
  (--from/--to: ISO 8601 date or time, or milliseconds; --direction in|out; durations in seconds)
reads DATABASE_URL directly (a zip also reads the media store: MEDIA_STORE, DATA_DIR, S3_*);
writes the export to stdout; exit status 2 on bad arguments.`;

function fail(message: string): never {
  process.stderr.write(`export: ${message}\n`);
  process.exit(2);
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        ...Object.fromEntries(FILTER_NAMES.map((n) => [n, { type: "string" as const }])),
        format: { type: "string" },
        bom: { type: "boolean" },
        tz: { type: "string" },
        includeSecrets: { type: "boolean" },
        gzip: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === "string") params.set(name, value);
    else if (value === true) params.set(name, "1");
  }

  let cfg: Config;
  try {
    cfg = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const databaseUrl = cfg.DATABASE_URL;
  if (!databaseUrl) {
    fail("DATABASE_URL is not set: point it at the dashboard's PostgreSQL (with npm start's embedded database, export over HTTP instead: GET /api/export)");
  }

  let request;
  try {
    request = parseExportRequest(params);
  } catch (err) {
    if (err instanceof ParamError) fail(err.message);
    throw err;
  }

  const pool = createPool(databaseUrl, 1);
  try {
    const stream = request.format === "zip" ? await openZipExport(pool, await mediaStoreOf(cfg), request) : await openExport(pool, request);
    try {
      await pipeline(stream, process.stdout);
    } catch (err) {
      // `npm run export ... | head` closes stdout early: not a failure of the export.
      if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
      stream.destroy();
    }
    const outcome = await stream.finished.catch(() => ({ rows: 0 }));
    if (process.stderr.isTTY) process.stderr.write(`export: ${summary(outcome)}\n`);
  } finally {
    await pool.end();
  }
}

/** The media store as configured; loaded only for a zip (the S3 client is a large module to load for a CSV). */
async function mediaStoreOf(cfg: Config) {
  const { createStore } = await import("../lib/media/stores");
  return createStore(cfg);
}

function summary(outcome: { rows: number; files?: number; fileBytes?: number; missing?: number }): string {
  if (outcome.files === undefined) return `${outcome.rows} rows`;
  return `${outcome.rows} rows, ${outcome.files} files (${Math.round((outcome.fileBytes ?? 0) / 1e6)} MB), ${outcome.missing} missing`;
}

main().catch((err) => {
  if (err instanceof ParamError) fail(err.message);
  process.stderr.write(`export failed: ${(err as Error).message}\n`);
  process.exit(1);
});
