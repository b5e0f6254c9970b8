import type { Readable } from "node:stream";
import { pool } from "@/lib/db/client";
import { contentDisposition, exportFileName } from "@/lib/export/filename";
import { parseExportRequest, type ExportFormat } from "@/lib/export/request";
import { openExport } from "@/lib/export/stream";
import { openZipExport } from "@/lib/export/zip";
import { mediaStore } from "@/lib/media/stores";
import { config } from "@/lib/config";
import { Slots } from "@/lib/shared/slots";
import { handle, jsonError } from "@/lib/http/responses";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8; header=present",
  ndjson: "application/x-ndjson; charset=utf-8",
  json: "application/json; charset=utf-8",
  zip: "application/zip",
};

let slots: Slots | undefined;
const exportSlots = () => (slots ??= new Slots(config().EXPORT_CONCURRENCY));

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const exportRequest = parseExportRequest(new URL(request.url).searchParams);
    const release = exportSlots().tryAcquire();
    if (!release) {
      const busy = jsonError(429, `${exportSlots().size} exports are already streaming from this server: retry when one ends`, { code: "export_busy" });
      busy.headers.set("Retry-After", "10");
      return busy;
    }
    const startedAt = new Date();
    let stream;
    try {
      // format=zip: videos.csv with the archived videos and previews, from the media store.
      stream =
        exportRequest.format === "zip"
          ? await openZipExport(pool(), mediaStore(), exportRequest, { takenAt: startedAt })
          : await openExport(pool(), exportRequest);
    } catch (err) {
      release();
      throw err;
    }
    stream.finished.finally(release).catch(() => {});
    // A client that goes away ends the query and frees its connection.
    request.signal.addEventListener("abort", () => stream.destroy(), { once: true });
    stream.finished.then(
      (outcome) => log.info({ format: exportRequest.format, ...outcome, ms: Date.now() - startedAt.getTime() }, "export"),
      (err) => log.error({ err, format: exportRequest.format }, "export failed mid-stream"),
    );
    return new Response(pullStream(stream), {
      headers: {
        // gzip=1 is a .gz file to keep, not a transfer encoding the browser would undo.
        "Content-Type": exportRequest.gzip ? "application/gzip" : CONTENT_TYPES[exportRequest.format],
        "Content-Disposition": contentDisposition(exportFileName(exportRequest, startedAt)),
        // no-transform keeps next start's gzip off this response: compressing hundreds of MB
        // in the server process cost two thirds of the export's rate (docs/export.md).
        "Cache-Control": "no-store, no-transform",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}

/** A web stream that reads the next chunk only when the response wants one: backpressure end to end. */
function pullStream(stream: Readable): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value as Buffer);
      },
      cancel() {
        stream.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}
