// The export with the videos: one zip holding videos.csv (the CSV export itself, from the same
// COPY), every archived video and preview read from the media store, and missing.csv naming
// what is not there and why. Everything comes from one REPEATABLE READ transaction on one
// connection, so the CSV, the files and missing.csv describe the same moment; the store is read
// one file at a time, only as fast as the zip's reader takes it (zip-writer.ts).
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { Pool, PoolClient } from "pg";
import { MediaError } from "../media/errors";
import { extensionFor, type MediaKind } from "../media/sniff";
import type { MediaStore } from "../media/store";
import { videoWhereSql, type VideoFilters } from "../videos/filters";
import type { ExportRequest } from "./request";
import { closeConnection, copyExport } from "./stream";
import { zipStream, type ZipEntry } from "./zip-writer";

export type ZipExportResult = {
  /** Rows of videos.csv. */
  rows: number;
  /** Videos and previews in the zip, and their bytes. */
  files: number;
  fileBytes: number;
  /** Rows of missing.csv. */
  missing: number;
  aborted: boolean;
};

export type ZipExportStream = Readable & { finished: Promise<ZipExportResult> };

/** The folder of each kind inside the zip. */
export const ZIP_FOLDERS: Record<MediaKind, string> = { video: "videos", preview: "previews" };
const KINDS: readonly MediaKind[] = ["video", "preview"];

/** missing.csv's header: one row per video and kind that is not in the zip. */
export const MISSING_COLUMNS = ["id", "kind", "state", "reason", "detail"] as const;

/** Rows fetched from the cursor at a time: a few kilobytes, while files are read between fetches. */
const FETCH_ROWS = 200;

/**
 * Opens the zip export of `request` (its filters, and bom/includeSecrets/raw for videos.csv).
 * Fails before any byte when the database cannot be reached; afterwards a failure (the store
 * down, the connection lost) destroys the stream with its error. Destroying the stream stops the
 * reads and frees the connection.
 */
export async function openZipExport(db: Pool, store: MediaStore, request: ExportRequest, { takenAt = new Date(), tempDir = tmpdir() } = {}): Promise<ZipExportStream> {
  const client = await db.connect();
  try {
    // One snapshot for the CSV, the file list and missing.csv; READ ONLY: an export writes nothing.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    // Walk the (sendTime, id) indexes in order rather than sort every match first (as openExport).
    await client.query("SET LOCAL enable_sort = off");
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  const result: ZipExportResult = { rows: 0, files: 0, fileBytes: 0, missing: 0, aborted: false };
  const zip = zipStream(exportEntries(client, store, request, result, { takenAt, tempDir }));
  const output = zip as unknown as ZipExportStream;
  output.finished = zip.finished.then(({ aborted }) => ({ ...result, aborted }));
  output.finished.catch(() => {});
  return output;
}

async function* exportEntries(
  client: PoolClient,
  store: MediaStore,
  request: ExportRequest,
  result: ZipExportResult,
  { takenAt, tempDir }: { takenAt: Date; tempDir: string },
): AsyncGenerator<ZipEntry> {
  // Until the COPY has ended the connection is in its middle and cannot be reused.
  let inCopy = false;
  let committed = false;
  let failure: Error | undefined;
  const missing = await MissingList.create(tempDir, request.bom);
  try {
    const csv = copyExport(client, { ...request, format: "csv", gzip: false });
    inCopy = true;
    yield { name: "videos.csv", body: csv.stream, compress: true, mtime: takenAt };
    result.rows = await csv.done;
    inCopy = false;

    for await (const row of mediaRows(client, request.filters)) {
      for (const kind of KINDS) {
        const file = row[kind];
        if (!file.sha256) {
          await missing.add([row.id, kind, file.state ?? "", missingReason(file), file.error ?? ""]);
          continue;
        }
        let body: Readable;
        try {
          body = await store.read(file.sha256);
        } catch (err) {
          if (!notInStore(err)) throw err;
          await missing.add([row.id, kind, "archived", "not_in_store", `the media store has no object ${file.sha256}`]);
          continue;
        }
        result.files += 1;
        result.fileBytes += file.bytes;
        yield {
          name: `${ZIP_FOLDERS[kind]}/${row.id}.${extensionFor(file.contentType)}`,
          body,
          // Video and image formats are compressed already: deflating them costs CPU for nothing.
          compress: false,
          size: file.bytes,
          mtime: row.sendTime,
        };
      }
    }
    result.missing = missing.rows;
    yield { name: "missing.csv", body: await missing.close(), compress: true, mtime: takenAt };
    await client.query("COMMIT");
    committed = true;
    client.release();
  } catch (err) {
    failure = err as Error;
    throw err;
  } finally {
    if (!committed) {
      const reason = failure ?? new Error("zip export stopped");
      // Mid-COPY the connection cannot be reused; otherwise end the transaction and give it back.
      if (inCopy) closeConnection(client, reason);
      else await client.query("ROLLBACK").then(() => client.release(), (err: Error) => client.release(err));
    }
    await missing.remove();
  }
}

type FileRow = { sha256: string | null; contentType: string; bytes: number; state: string | null; reason: string | null; error: string | null };
type MediaRow = { id: string; sendTime: Date } & Record<MediaKind, FileRow>;

/**
 * The matching videos in the export's order, each with its archived video and preview (a
 * media_files row) or nothing; read through a cursor, a page at a time, so no list of every
 * match is ever held.
 */
async function* mediaRows(client: PoolClient, filters: VideoFilters): AsyncGenerator<MediaRow> {
  const params: unknown[] = [];
  const where = videoWhereSql(filters, params);
  // The filter runs in its own subquery, over video_events' own column names (as the JSON export's).
  await client.query(
    `DECLARE zip_media NO SCROLL CURSOR FOR
     SELECT v.id::text AS id, v."sendTime",
            fv.sha256 AS video_sha256, fv."contentType" AS video_type, fv.bytes::float8 AS video_bytes,
            fp.sha256 AS preview_sha256, fp."contentType" AS preview_type, fp.bytes::float8 AS preview_bytes,
            av.state::text AS video_state, av.reason AS video_reason, av.error AS video_error,
            ap.state::text AS preview_state, ap.reason AS preview_reason, ap.error AS preview_error
       FROM (SELECT id, "sendTime" FROM video_events WHERE ${where}) AS v
       LEFT JOIN media_files fv ON fv."videoEventId" = v.id AND fv.kind = 'video'
       LEFT JOIN media_files fp ON fp."videoEventId" = v.id AND fp.kind = 'preview'
       LEFT JOIN media_archive av ON av."videoEventId" = v.id AND av.kind = 'video'
       LEFT JOIN media_archive ap ON ap."videoEventId" = v.id AND ap.kind = 'preview'
      ORDER BY v."sendTime" DESC, v.id DESC`,
    params,
  );
  for (;;) {
    const { rows } = await client.query<Record<string, unknown>>(`FETCH ${FETCH_ROWS} FROM zip_media`);
    for (const r of rows) {
      const file = (kind: MediaKind): FileRow => ({
        sha256: r[`${kind}_sha256`] as string | null,
        contentType: r[`${kind}_type`] as string,
        bytes: r[`${kind}_bytes`] as number,
        state: r[`${kind}_state`] as string | null,
        reason: r[`${kind}_reason`] as string | null,
        error: r[`${kind}_error`] as string | null,
      });
      yield { id: r.id as string, sendTime: r.sendTime as Date, video: file("video"), preview: file("preview") };
    }
    if (rows.length < FETCH_ROWS) break;
  }
  await client.query("CLOSE zip_media");
}

/** Why a file without a kept object is missing: the archive's reason, else whether it was ever queued. */
function missingReason(file: FileRow): string {
  if (file.reason) return file.reason;
  if (!file.state) return "not_queued";
  return file.state === "archived" ? "not_in_store" : "queued";
}

/** The store has no such object (as opposed to: the store cannot be reached now). */
function notInStore(err: unknown): boolean {
  return (err instanceof MediaError && err.reason === "not_found") || (err as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * missing.csv, kept in a temporary file while the files stream (it comes last in the zip, and
 * may name every match). CSV as PostgreSQL writes it: RFC 4180 quoting, rows ending in \n.
 */
class MissingList {
  rows = 0;

  private constructor(
    private readonly dir: string,
    private readonly path: string,
    private readonly out: WriteStream,
  ) {}

  static async create(tempDir: string, bom: boolean): Promise<MissingList> {
    const dir = await mkdtemp(join(tempDir, "video-export-"));
    const path = join(dir, "missing.csv");
    const list = new MissingList(dir, path, createWriteStream(path));
    await list.write(`${bom ? "\ufeff" : ""}${MISSING_COLUMNS.join(",")}\n`);
    return list;
  }

  async add(fields: readonly string[]): Promise<void> {
    this.rows += 1;
    await this.write(`${fields.map(csvField).join(",")}\n`);
  }

  /** The finished file, to be read. */
  async close(): Promise<Readable> {
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return createReadStream(this.path);
  }

  async remove(): Promise<void> {
    this.out.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }

  private write(text: string): Promise<void> {
    if (this.out.write(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        this.out.off("drain", done);
        this.out.off("error", done);
        if (err) reject(err);
        else resolve();
      };
      this.out.once("drain", done);
      this.out.once("error", done);
    });
  }
}

/** One CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
