// The media store on this machine's disk: DATA_DIR/media/<sha256>, as the media cache always
// kept it. A write goes to DATA_DIR/media/tmp and is renamed into place, so a reader sees a
// whole file or none. An object is served only while its bytes are still the ones whose sha256
// is its name: see verifiedFile.
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, opendir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { log } from "../log";
import { hashFile } from "./hash";
import { checkObjectName, isObjectName, storeUnavailable, type MediaStore, type ObjectRange, type StoredObject } from "./store";

export function mediaDir(dataDir: string): string {
  return join(dataDir, "media");
}

export class LocalStore implements MediaStore {
  readonly dir: string;
  readonly description: string;

  constructor(dataDir: string) {
    this.dir = mediaDir(dataDir);
    this.description = `local:${this.dir}`;
  }

  path(name: string): string {
    return join(this.dir, checkObjectName(name));
  }

  async putFile(name: string, path: string): Promise<void> {
    const dest = this.path(name);
    await mkdir(this.dir, { recursive: true });
    if (await stat(dest).then((st) => st.isFile(), () => false)) return;
    try {
      await rename(path, dest);
    } catch (err) {
      // Another filesystem: copy beside the destination, then rename, so it still appears whole.
      if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
      const temp = await tempPath(this.dir);
      try {
        await copyFile(path, temp);
        await rename(temp, dest);
      } finally {
        await rm(temp, { force: true });
      }
    }
    await markVerified(dest);
  }

  async put(name: string, body: Readable): Promise<void> {
    const dest = this.path(name);
    const temp = await tempPath(this.dir);
    try {
      await pipeline(body, createWriteStream(temp));
      await rename(temp, dest);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    const path = this.path(name);
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) return null;
    if (!(await verifiedFile(path, name, st.size))) return null;
    return { name, bytes: st.size, modifiedAt: st.mtime };
  }

  async read(name: string, range?: ObjectRange): Promise<Readable> {
    const path = this.path(name);
    // Opened before it is returned, so a missing file is an error here, not in the middle of an answer.
    const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    return stream;
  }

  async delete(name: string): Promise<void> {
    const path = this.path(name);
    verifiedIdentity.delete(path);
    await rm(path, { force: true });
  }

  async *list(): AsyncIterable<StoredObject> {
    const dir = await opendir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return null;
      throw err;
    });
    if (!dir) return;
    for await (const entry of dir) {
      if (!entry.isFile() || !isObjectName(entry.name)) continue;
      const st = await stat(join(this.dir, entry.name)).catch(() => null);
      if (st) yield { name: entry.name, bytes: st.size, modifiedAt: st.mtime };
    }
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await stat(this.dir);
    } catch (err) {
      throw storeUnavailable((err as NodeJS.ErrnoException).code ?? "disk error");
    }
  }
}

const sweptTempDirs = new Set<string>();

/** A fresh path under `<mediaDir>/tmp`, on the same filesystem as the objects so a finished file is renamed into place. */
export async function tempPath(dir: string): Promise<string> {
  const tmp = join(dir, "tmp");
  await mkdir(tmp, { recursive: true });
  if (!sweptTempDirs.has(tmp)) {
    sweptTempDirs.add(tmp);
    await sweepTempFiles(tmp);
  }
  return join(tmp, randomBytes(12).toString("hex"));
}

/** Writes interrupted by a crash leave temporary files: the first write of a process removes those over an hour old. */
async function sweepTempFiles(dir: string) {
  const cutoff = Date.now() - 3600_000;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => null);
    if (st && st.mtimeMs < cutoff) await rm(path, { force: true });
  }
}

// The file's identity on disk when its content was last hashed by this process. Any write to a
// file changes its ctime, which no user-space call can set back, so an unchanged identity means
// unchanged bytes. Hashing on every hit would cost 137 ms for a 100 MiB video, per Range
// request; this check costs a stat (0.1 ms), and the hash runs once per change (docs/media.md).
const verifiedIdentity = new Map<string, string>();
const hashing = new Map<string, Promise<boolean>>();

/**
 * True when the file at `path` holds the bytes whose sha256 is its name. A file that does not
 * (same size, other bytes: a disk error, a stray write) is removed and logged.
 */
export async function verifiedFile(path: string, sha256: string, bytes: number): Promise<boolean> {
  const identity = await identityOf(path);
  if (!identity || !identity.startsWith(`${bytes}:`)) return false;
  if (verifiedIdentity.get(path) === identity) return true;
  const key = `${path}\0${identity}`;
  let pending = hashing.get(key);
  if (!pending) {
    pending = hashFile(path, ["sha256"])
      .then(async ({ sha256: actual }) => {
        if (actual === sha256) {
          remember(path, identity);
          return true;
        }
        log.warn({ path, expected: sha256, actual }, "stored media file is damaged: removed, it will be fetched again");
        verifiedIdentity.delete(path);
        await rm(path, { force: true });
        return false;
      })
      .finally(() => hashing.delete(key));
    hashing.set(key, pending);
  }
  return pending;
}

/** Records that the file at `path` was just written from bytes whose digest was checked. */
export async function markVerified(path: string): Promise<void> {
  const identity = await identityOf(path);
  if (identity) remember(path, identity);
}

function remember(path: string, identity: string) {
  if (verifiedIdentity.size > 100_000) verifiedIdentity.clear();
  verifiedIdentity.set(path, identity);
}

async function identityOf(path: string): Promise<string | null> {
  const st = await stat(path).catch(() => null);
  return st && `${st.size}:${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
}
