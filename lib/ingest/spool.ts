// The spool: where a delivery goes when PostgreSQL cannot take it, so the provider (which calls
// back once and never retries) can still be answered 200. Append-only NDJSON segment files
// under <DATA_DIR>/spool, one record per delivery, fsync'd before the append resolves.
// A segment is only ever appended to by the process that created it; after a restart every
// existing segment is sealed, so a line torn by a crash can only be the last of its file.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, open, readdir, readFile, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

export type SpoolRecord = {
  /** "<spool id>:<segment>:<line>": unique across instances, recorded as deliveries.spoolKey. */
  key: string;
  receivedAt: Date;
  body: Buffer;
  /** The provider's Content-Type header, when it sent one. */
  contentType?: string | null;
};

export type Segment = { seq: number; path: string; records: number; remaining: number };

type Queued = { body: Buffer; receivedAt: Date; contentType?: string | null; resolve: () => void; reject: (err: unknown) => void };
type Current = { seq: number; path: string; file: FileHandle; records: number; bytes: number };

/** A segment is sealed and a new one started after this many records or bytes (the drain reads one whole). */
const SEGMENT_RECORDS = 5000;
const SEGMENT_BYTES = 32 * 1024 * 1024;
const SEGMENT_NAME = /^segment-(\d+)\.ndjson$/;

export class Spool {
  private queue: Queued[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private current: Current | null = null;
  private closed = false;
  /** The last append's failure, cleared by the next success. */
  lastError: Error | null = null;

  private constructor(
    readonly dir: string,
    private readonly id: string,
    private nextSeq: number,
    private readonly sealed: Segment[],
  ) {}

  static async open(dir: string): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const id = await readOrCreateId(join(dir, "id"));
    const segments: Segment[] = [];
    let lastSeq = 0;
    for (const name of await readdir(dir)) {
      const match = SEGMENT_NAME.exec(name);
      if (!match) continue;
      const path = join(dir, name);
      const seq = Number(match[1]);
      lastSeq = Math.max(lastSeq, seq);
      const records = parseSegment(await readFile(path), () => {}).length;
      if (records > 0) segments.push({ seq, path, records, remaining: records });
      else await unlink(path);
    }
    segments.sort((a, b) => a.seq - b.seq);
    return new Spool(dir, id, lastSeq + 1, segments);
  }

  /** Deliveries written to the spool and not yet committed to the database. */
  get depth(): number {
    return this.sealed.reduce((n, s) => n + s.remaining, 0) + (this.current?.records ?? 0) + this.queue.length;
  }

  /** Appends one delivery; resolves once it is on disk (fsync'd), rejects when it could not be. */
  append(body: Buffer, receivedAt: Date, contentType?: string | null): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the spool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ body, receivedAt, contentType, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // Appends that arrive while a write is in flight share the next write and fsync.
      this.writing = this.writing.then(() => this.writeQueued());
    });
  }

  /** Seals the segment being written, and returns every sealed segment, oldest first. */
  async seal(): Promise<Segment[]> {
    // The chain must never hold a rejection: every later append would be skipped.
    let failure: unknown = null;
    await (this.writing = this.writing.then(() => this.closeCurrent()).catch((err) => void (failure = err)));
    if (failure) throw failure;
    return [...this.sealed];
  }

  /** A sealed segment's records; a torn last line (a crash mid-append, never answered) is skipped. */
  async read(segment: Segment, onSkip: (line: string) => void = () => {}): Promise<SpoolRecord[]> {
    return parseSegment(await readFile(segment.path), onSkip);
  }

  /** Counts records of a segment as committed to the database. */
  consumed(segment: Segment, count: number): void {
    segment.remaining = Math.max(0, segment.remaining - count);
  }

  /** Deletes a segment whose records are all committed. */
  async remove(segment: Segment): Promise<void> {
    await unlink(segment.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
    const i = this.sealed.indexOf(segment);
    if (i >= 0) this.sealed.splice(i, 1);
  }

  /** Whether an append would be attempted: the directory is writable and the last append did not fail. */
  async writable(): Promise<true | string> {
    try {
      await access(this.dir, constants.W_OK);
    } catch (err) {
      return `spool directory not writable: ${(err as Error).message}`;
    }
    return this.lastError ? `last spool write failed: ${this.lastError.message}` : true;
  }

  /** Waits for queued appends, then closes the segment being written. */
  async close(): Promise<void> {
    this.closed = true;
    await this.seal();
  }

  private async writeQueued(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    try {
      if (!this.current || this.current.records >= SEGMENT_RECORDS || this.current.bytes >= SEGMENT_BYTES) await this.startSegment();
      const current = this.current!;
      const lines = batch
        .map((r, i) =>
          JSON.stringify({ k: `${this.id}:${current.seq}:${current.records + i}`, t: r.receivedAt.getTime(), b: r.body.toString("base64"), c: r.contentType ?? undefined }),
        )
        .join("\n");
      const { bytesWritten } = await current.file.write(lines + "\n");
      await current.file.datasync();
      current.records += batch.length;
      current.bytes += bytesWritten;
      this.lastError = null;
      for (const r of batch) r.resolve();
    } catch (err) {
      this.lastError = err as Error;
      // The segment may now end in a torn line: never append after it.
      await this.closeCurrent().catch(() => {});
      for (const r of batch) r.reject(err);
    }
  }

  private async startSegment(): Promise<void> {
    await this.closeCurrent();
    const seq = this.nextSeq++;
    const path = join(this.dir, `segment-${String(seq).padStart(12, "0")}.ndjson`);
    const file = await open(path, "a");
    // The new file's name must survive a power cut too.
    await syncDirectory(this.dir);
    this.current = { seq, path, file, records: 0, bytes: 0 };
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    // Listed for the drain first: what it holds is on disk whatever close() says.
    if (current.records > 0) this.sealed.push({ seq: current.seq, path: current.path, records: current.records, remaining: current.records });
    else await unlink(current.path).catch(() => {});
    await current.file.close();
  }
}

function parseSegment(data: Buffer, onSkip: (line: string) => void): SpoolRecord[] {
  const records: SpoolRecord[] = [];
  for (const line of data.toString("utf8").split("\n")) {
    if (line === "") continue;
    try {
      const { k, t, b, c } = JSON.parse(line) as { k: string; t: number; b: string; c?: string };
      if (typeof k !== "string" || typeof t !== "number" || typeof b !== "string") throw new Error("not a spool record");
      records.push({ key: k, receivedAt: new Date(t), body: Buffer.from(b, "base64"), contentType: typeof c === "string" ? c : null });
    } catch {
      onSkip(line.slice(0, 200));
    }
  }
  return records;
}

async function readOrCreateId(path: string): Promise<string> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    const id = randomBytes(6).toString("hex");
    await writeFile(path, id + "\n", { flush: true });
    await syncDirectory(join(path, ".."));
    return id;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
