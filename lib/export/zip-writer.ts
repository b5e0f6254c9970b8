// A zip written as a stream, entry after entry, in bounded memory. yazl writes the format (ZIP64
// where needed, UTF-8 names with general purpose bit 11, a data descriptor after each entry so no
// size is needed up front); this module decides when each entry's bytes are read: only once the
// entry before it has been read to its end, at the pace the zip's reader takes it. Why yazl and
// not archiver/zip-stream or client-zip: docs/export.md "The zip".
import { finished, type Readable } from "node:stream";
import { ZipFile } from "yazl";

export type ZipEntry = {
  /** The path inside the zip, `/`-separated; any Unicode (stored as UTF-8, flagged so). */
  name: string;
  body: Readable;
  /** Deflate it (text) or store it as it is (media, already compressed). */
  compress: boolean;
  /** The body's length when known: a body that ends at another length fails the zip. */
  size?: number;
  mtime: Date;
};

export type ZipOutcome = { entries: number; aborted: boolean };

export type ZipStream = Readable & {
  /** Settles once the zip has been read whole (or given up): entries written, or aborted. */
  finished: Promise<ZipOutcome>;
};

class ZipAborted extends Error {
  constructor() {
    super("the zip's reader went away");
    this.name = "AbortError";
  }
}

/**
 * One zip of the entries `source` yields. The iterator is advanced only after the previous
 * entry's body has ended, so a source that opens a file when asked for its next entry reads the
 * files one after another. Destroying the returned stream (a reader that went away) destroys the
 * body being read and returns the iterator, so its `finally` blocks run; `finished` then
 * resolves with `aborted: true`. A body or the iterator failing destroys the stream with that
 * error and rejects `finished`.
 */
export function zipStream(source: AsyncIterable<ZipEntry>): ZipStream {
  const zip = new ZipFile();
  const output = zip.outputStream as unknown as ZipStream;
  let stopped: Error | null = null;
  let current: Readable | null = null;
  const stop = (reason: Error) => {
    if (stopped) return;
    stopped = reason;
    current?.destroy();
  };
  output.once("close", () => {
    if (!output.readableEnded) stop(new ZipAborted());
  });
  // yazl reports a body of the wrong length, or any failure of its own, here.
  zip.on("error", (err: Error) => {
    stop(err);
    output.destroy(err);
  });

  const write = async (): Promise<ZipOutcome> => {
    let entries = 0;
    try {
      for await (const entry of source) {
        if (stopped) {
          entry.body.destroy();
          break;
        }
        current = entry.body;
        await addEntry(zip, entry);
        current = null;
        entries += 1;
      }
      if (stopped) throw stopped;
      zip.end();
      await new Promise<void>((resolve, reject) => finished(output, (err) => (err ? reject(err) : resolve())));
      return { entries, aborted: false };
    } catch (err) {
      const reason = stopped ?? (err as Error);
      stop(reason);
      if (reason instanceof ZipAborted) return { entries, aborted: true };
      output.destroy(reason);
      throw reason;
    }
  };
  output.finished = write();
  // Whoever reads the zip sees a failure as the stream's error; this keeps the promise quiet.
  output.finished.catch(() => {});
  return output;
}

/** Hands `entry` to yazl; settles when its body has been read to its end (or failed, or was destroyed). */
function addEntry(zip: ZipFile, entry: ZipEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    finished(entry.body, (err) => (err ? reject(err) : resolve()));
    zip.addReadStreamLazy(
      entry.name,
      { compress: entry.compress, size: entry.size, mtime: entry.mtime, mode: 0o100644 },
      (callback) => callback(null, entry.body),
    );
  });
}
