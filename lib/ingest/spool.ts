// The spool: where a delivery goes when PostgreSQL cannot take it, so the provider (which calls
// back once and never retries) can still be answered 200. Append-only NDJSON segment files,
// one record per delivery, fsync'd before the append resolves.
//
// Every process has a spool directory of its own, <DATA_DIR>/spool/run-<run id>, marked by an
// owner file (created with O_EXCL, holding the pid and the process's start time): several
// processes may share a DATA_DIR (PM2 cluster mode, a second `npm start`) and none ever reads,
// replays or deletes a segment another live process is writing. A directory whose owner has
// died is adopted by whichever live process finds it first: its segments are renamed into the
// adopter's directory (a rename succeeds for one process only) and drained there.
// Segments are sealed before they are replayed, and a segment is never appended to again after
// a failed write, so a torn line can only be the last of its file.
import { randomBytes } from "node:crypto";
import { constants, readFileSync } from "node:fs";
import { access, mkdir, open as openFile, readdir, readFile, rename, rm, rmdir, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

export type SpoolRecord = {
  /** "<run id>:<n>": unique for the life of the data directory, recorded as deliveries.spoolKey. */
  key: string;
  receivedAt: Date;
  body: Buffer;
  /** The provider's Content-Type header, when it sent one. */
  contentType?: string | null;
};

export type Segment = { seq: number; path: string; records: number; remaining: number };

/** The file operations a segment needs: node's FileHandle by default; tests record or break them. */
export type SegmentFile = {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
};
export type SpoolOptions = {
  openSegment?: (path: string) => Promise<SegmentFile>;
  /** Records after which a segment is sealed and a new one started (tests make it small). */
  segmentRecords?: number;
};

type Queued = { key: string; body: Buffer; receivedAt: Date; contentType: string | null; resolve: () => void; reject: (err: unknown) => void };
type Current = { seq: number; path: string; file: SegmentFile; records: number; bytes: number };

/** A segment is sealed and a new one started after this many records or bytes (the drain reads one whole). */
const SEGMENT_RECORDS = 5000;
const SEGMENT_BYTES = 32 * 1024 * 1024;
const SEGMENT_NAME = /^segment-(\d+)\.ndjson$/;
const RUN_DIR = /^run-([0-9a-f]+)$/;
const OWNER = "owner";
/** The file writable() writes to learn whether a failed append would now succeed. */
const PROBE = "probe";
const PROBE_BYTES = 64 * 1024;

/** Who writes a spool directory: a process on this host, told apart from a later one with its pid. */
type Owner = { pid: number; started: string | null; host: string };

export class Spool {
  private queue: Queued[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private current: Current | null = null;
  private closed = false;
  private keys = 0;
  /** The last append's failure, cleared by the next success. */
  lastError: Error | null = null;

  private constructor(
    readonly dir: string,
    private readonly root: string,
    private readonly id: string,
    private nextSeq: number,
    private readonly sealed: Segment[],
    private readonly openSegment: (path: string) => Promise<SegmentFile>,
    private readonly segmentRecords: number,
  ) {}

  /**
   * Opens this process's spool under `root`: a new directory of its own, holding at first the
   * segments of every directory whose process has died (and of the single-directory layout of
   * earlier versions).
   */
  static async open(root: string, options: SpoolOptions = {}): Promise<Spool> {
    await mkdir(root, { recursive: true });
    // A new run id for every process: segment numbers restart in a new directory, and a key that
    // did not name its run would be issued again after a restart, and the replay's
    // ON CONFLICT ("spoolKey") DO NOTHING would drop the new delivery as already recorded.
    const id = randomBytes(8).toString("hex");
    const dir = join(root, `run-${id}`);
    // Made complete under another name, then renamed: a run-* directory always has its owner.
    const making = join(root, `.new-${id}`);
    await mkdir(making);
    await writeFile(join(making, OWNER), JSON.stringify(currentOwner()) + "\n", { flag: "wx", flush: true });
    await rename(making, dir);
    await syncDirectory(root);
    const spool = new Spool(dir, root, id, 1, [], options.openSegment ?? ((path) => openFile(path, "a")), options.segmentRecords ?? SEGMENT_RECORDS);
    await spool.adoptOrphans();
    return spool;
  }

  /**
   * Takes over the segments of spool directories whose process has died, and of the layout of
   * earlier versions (segments directly under the root). Returns how many segments it took.
   */
  async adoptOrphans(): Promise<number> {
    let adopted = 0;
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    const legacy = entries.filter((e) => e.isFile() && SEGMENT_NAME.test(e.name)).map((e) => join(this.root, e.name));
    if (legacy.length) adopted += await this.adoptSegments(legacy);
    for (const entry of entries) {
      const run = RUN_DIR.exec(entry.name);
      if (!entry.isDirectory() || !run || run[1] === this.id) continue;
      const orphan = join(this.root, entry.name);
      if (!(await ownerIsGone(join(orphan, OWNER), true))) continue;
      const names = await readdir(orphan).catch(() => [] as string[]);
      adopted += await this.adoptSegments(names.filter((n) => SEGMENT_NAME.test(n)).map((n) => join(orphan, n)));
      // Only once its segments are ours: another adopter may have taken some, and that is fine.
      await unlink(join(orphan, OWNER)).catch(() => {});
      await rmdir(orphan).catch(() => {});
    }
    // A directory whose making was cut short holds no segment.
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name.startsWith(".new-") && (await ownerIsGone(join(this.root, entry.name, OWNER), false)))
        await rm(join(this.root, entry.name), { recursive: true, force: true }).catch(() => {});
    }
    return adopted;
  }

  /** Renames segments (oldest first) into this spool's directory, as sealed segments. */
  private async adoptSegments(paths: string[]): Promise<number> {
    let adopted = 0;
    const bySeq = paths.map((path) => ({ path, seq: Number(SEGMENT_NAME.exec(path.slice(path.lastIndexOf("/") + 1))![1]) })).sort((a, b) => a.seq - b.seq);
    for (const { path: from } of bySeq) {
      const seq = this.nextSeq++;
      const to = segmentPath(this.dir, seq);
      try {
        await rename(from, to);
      } catch (err) {
        // Another process adopted it first.
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      const records = parseSegment(await readFile(to), () => {}).length;
      if (records > 0) this.sealed.push({ seq, path: to, records, remaining: records });
      else await unlink(to).catch(() => {});
      adopted++;
    }
    if (adopted) await syncDirectory(this.dir);
    return adopted;
  }

  /** Deliveries written to the spool and not yet committed to the database. */
  get depth(): number {
    return this.sealed.reduce((n, s) => n + s.remaining, 0) + (this.current?.records ?? 0) + this.queue.length;
  }

  /**
   * A new delivery key. The receiver gives one to every delivery before its first write to the
   * database, and spools the delivery under the same key: when a commit's answer is lost (a hung
   * or dying database), the replay finds the key already recorded and adds nothing.
   */
  nextKey(): string {
    return `${this.id}:${++this.keys}`;
  }

  /** Appends one delivery; resolves once it is on disk (fsync'd), rejects when it could not be. */
  append(body: Buffer, receivedAt: Date, key = this.nextKey(), contentType: string | null = null): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the spool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ key, body, receivedAt, contentType, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // Appends that arrive while a write is in flight share the next write and fsync.
      this.writing = this.writing.then(() => this.writeQueued());
    });
  }

  /** Seals the segment being written, and returns every sealed segment, oldest first. */
  async seal(): Promise<Segment[]> {
    await this.adoptOrphans();
    // The chain must never hold a rejection: every later append would be skipped.
    let failure: unknown = null;
    await (this.writing = this.writing.then(() => this.closeCurrent()).catch((err) => void (failure = err)));
    if (failure) throw failure;
    return this.sealed.sort((a, b) => a.seq - b.seq).slice();
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

  /**
   * Whether an append would be attempted: the directory is writable and the last append did not
   * fail, or a probe since shows there is room again.
   */
  async writable(): Promise<true | string> {
    try {
      await access(this.dir, constants.W_OK);
    } catch (err) {
      return `spool directory not writable: ${(err as Error).message}`;
    }
    // Only an append cleared a failed one, and appends happen only during a database outage: a
    // disk freed while the database was up left the health "degraded" until the next outage.
    if (this.lastError && (await this.probeWrite())) this.lastError = null;
    return this.lastError ? `last spool write failed: ${this.lastError.message}` : true;
  }

  /**
   * Writes and syncs a file as large as a big record, through the same file layer as a segment,
   * then removes it: whether an append would go through now.
   */
  private async probeWrite(): Promise<boolean> {
    const path = join(this.dir, PROBE);
    try {
      const file = await this.openSegment(path);
      try {
        const { bytesWritten } = await file.write(Buffer.alloc(PROBE_BYTES), 0, PROBE_BYTES);
        if (bytesWritten < PROBE_BYTES) return false;
        await file.datasync();
      } finally {
        await file.close();
      }
      return true;
    } catch {
      return false;
    } finally {
      await unlink(path).catch(() => {});
    }
  }

  /**
   * Waits for queued appends, then closes the segment being written and lets the directory go:
   * what is left in it is adopted by the next process that opens a spool here (or a live one).
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.seal();
    if (this.depth === 0) await rm(this.dir, { recursive: true, force: true }).catch(() => {});
    else await unlink(join(this.dir, OWNER)).catch(() => {});
  }

  private async writeQueued(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    try {
      if (!this.current || this.current.records >= this.segmentRecords || this.current.bytes >= SEGMENT_BYTES) await this.startSegment();
      const current = this.current!;
      const data = Buffer.from(
        batch.map((r) => JSON.stringify({ k: r.key, t: r.receivedAt.getTime(), b: r.body.toString("base64"), c: r.contentType ?? undefined }) + "\n").join(""),
      );
      try {
        // A write may take only part of the buffer (a file-size limit, a disk nearly full):
        // the rest is written again until all of it is in, or the write fails.
        for (let written = 0; written < data.length; ) {
          const { bytesWritten } = await current.file.write(data, written, data.length - written);
          if (bytesWritten <= 0) throw new Error(`short write to the spool: ${written} of ${data.length} bytes`);
          written += bytesWritten;
        }
        await current.file.datasync();
      } catch (err) {
        // Cut the torn record off, so the segment ends with the last whole one (else the parser skips it).
        await current.file.truncate(current.bytes).then(() => current.file.datasync()).catch(() => {});
        throw err;
      }
      current.records += batch.length;
      current.bytes += data.length;
      this.lastError = null;
      for (const r of batch) r.resolve();
    } catch (err) {
      this.lastError = err as Error;
      // The segment may end in a torn line: never append after it.
      await this.closeCurrent().catch(() => {});
      for (const r of batch) r.reject(err);
    }
  }

  private async startSegment(): Promise<void> {
    await this.closeCurrent();
    const seq = this.nextSeq++;
    const path = segmentPath(this.dir, seq);
    const file = await this.openSegment(path);
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

function segmentPath(dir: string, seq: number): string {
  return join(dir, `segment-${String(seq).padStart(12, "0")}.ndjson`);
}

function currentOwner(): Owner {
  return { pid: process.pid, started: startTimeOf(process.pid), host: hostname() };
}

/** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for it. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the process that owned a spool directory has ended or let it go (never true for another
 * host's). `released`: what a missing owner file means (a run directory let go at close, or a
 * directory still being made).
 */
async function ownerIsGone(ownerPath: string, released: boolean): Promise<boolean> {
  let owner: Owner;
  try {
    owner = JSON.parse(await readFile(ownerPath, "utf8")) as Owner;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" && released;
  }
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
  return owner.started !== null && startTimeOf(owner.pid) !== owner.started;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await openFile(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
