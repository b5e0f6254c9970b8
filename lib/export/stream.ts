// Streams an export straight out of PostgreSQL: one pooled connection runs the COPY, the bytes
// flow through a small framing step (BOM, JSON array brackets) with backpressure all the way,
// so memory stays flat whatever the size. Destroying the returned stream (a client that went
// away) ends the query: the connection is closed, the server backend exits, the pool slot frees.
import { pipeline, Transform, type Readable, type TransformCallback } from "node:stream";
import { createGzip } from "node:zlib";
import type { Pool, PoolClient } from "pg";
import { to as copyTo } from "pg-copy-streams";
import { exportCopySql } from "./query";
import type { CopyFormat, ExportRequest, ExportTimes } from "./request";

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NEWLINE = 0x0a;
const SEPARATOR = Buffer.from(",\n");

export type ExportResult = { rows: number; aborted: boolean };

export type ExportStream = Readable & {
  /** Settles once the connection is back in the pool (or closed): rows written, or aborted. */
  finished: Promise<ExportResult>;
};

export async function openExport(db: Pool, request: ExportRequest): Promise<ExportStream> {
  const format = request.format;
  if (format === "zip") throw new Error("format=zip is written by openZipExport (lib/export/zip.ts)");
  // Built before a connection is taken: a filter the statement refuses (a NUL) is a ParamError
  // that must not leave a connection checked out (each such request would keep one for good).
  const sql = exportCopySql(request);
  const client = await db.connect();
  try {
    // Walk the (sendTime, id) indexes in order rather than sort everything first: the first
    // rows leave at once, and PostgreSQL needs no sort memory or temp files for millions of rows.
    await client.query("SET enable_sort = off");
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  const { stream: output, done, rows: rowsSoFar } = copyExport(client, { ...request, format }, sql);
  (output as ExportStream).finished = done.then(
    (rows) =>
      client.query("RESET enable_sort").then(
        () => client.release(),
        (resetError: Error) => client.release(resetError),
      ).then(() => ({ rows, aborted: false })),
    (err: Error) => {
      closeConnection(client, err);
      if (isAbort(err)) return { rows: rowsSoFar(), aborted: true };
      throw err;
    },
  );
  // The route and the script read the outcome from the stream's own events; this only keeps
  // a failed export from becoming an unhandled rejection.
  (output as ExportStream).finished.catch(() => {});
  return output as ExportStream;
}

/**
 * The file for `request` (CSV, NDJSON or JSON), written by PostgreSQL's COPY on `client` and
 * framed (BOM, JSON brackets, gzip) with backpressure: the bytes as one stream, and the rows
 * written once it has ended (a rejection when it failed or was destroyed). The zip export reads
 * its videos.csv from here too. `client` should walk the indexes in order (enable_sort off, see
 * openExport); a stream destroyed mid-way leaves the connection in the middle of a COPY:
 * closeConnection() it.
 */
export function copyExport(
  client: PoolClient,
  request: Pick<ExportRequest, "filters" | "includeSecrets" | "raw" | "bom" | "gzip"> & { format: CopyFormat; tz?: ExportTimes },
  sql = exportCopySql(request),
): {
  stream: Readable;
  done: Promise<number>;
  rows: () => number;
} {
  const copy = client.query(copyTo(sql));
  const stages: Transform[] = [framingFor(request.format, request.bom)];
  // Level 1: most of the size saving for a fraction of the CPU of the default level.
  if (request.gzip) stages.push(createGzip({ level: 1 }));
  const output = stages.at(-1) as Transform;
  const done = new Promise<number>((resolve, reject) => {
    pipeline([copy, ...stages], (err) => (err ? reject(err) : resolve(copy.rowCount)));
  });
  done.catch(() => {});
  return { stream: output, done, rows: () => copy.rowCount };
}

/** How a stream ends when its reader went away (destroyed, or a request aborted), as opposed to failing. */
export function isAbort(err: Error): boolean {
  return err.name === "AbortError" || (err as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE";
}

/**
 * A connection left in the middle of a COPY cannot be reused: drop it from the pool and close
 * its socket at once, so the backend's next write fails and it exits instead of running on.
 */
export function closeConnection(client: PoolClient, reason: Error) {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  client.release(reason);
}

function framingFor(format: CopyFormat, bom: boolean): Transform {
  if (format === "json") return new JsonArrayFraming();
  const prefix = format === "csv" && bom ? UTF8_BOM : null;
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (first && prefix) {
        first = false;
        this.push(prefix);
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (first && prefix) this.push(prefix);
      callback();
    },
  });
}

/**
 * JSON lines (one object per line, no raw newline inside any) into one JSON array: `[`, the
 * objects separated by `,\n`, `]`. The newline ending a chunk is held back until more rows
 * follow, because the last object takes no comma.
 */
export class JsonArrayFraming extends Transform {
  private started = false;
  private pendingNewline = false;

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    if (chunk.length === 0) return callback();
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      parts.push(Buffer.from("[\n"));
    }
    if (this.pendingNewline) parts.push(SEPARATOR);
    let end = chunk.length;
    this.pendingNewline = chunk[end - 1] === NEWLINE;
    if (this.pendingNewline) end -= 1;
    let start = 0;
    for (let i = chunk.indexOf(NEWLINE, start); i !== -1 && i < end; i = chunk.indexOf(NEWLINE, start)) {
      parts.push(chunk.subarray(start, i), SEPARATOR);
      start = i + 1;
    }
    parts.push(chunk.subarray(start, end));
    callback(null, Buffer.concat(parts));
  }

  _flush(callback: TransformCallback) {
    callback(null, Buffer.from(`${this.started ? "" : "[\n"}${this.pendingNewline ? "\n" : ""}]\n`));
  }
}
