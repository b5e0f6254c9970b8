// Reads a zip with another implementation than the one that wrote it: CPython's zipfile (python3
// is on every machine here, docs/testing.md). Every entry is read whole, so its CRC-32 and size
// are checked against the central directory; what comes back is what a person unpacking the file
// would get: names as decoded (UTF-8 only when general purpose bit 11 says so), flags, methods,
// sizes, offsets, a sha256 of each entry's bytes, and the bytes themselves when small.
import { execFile } from "node:child_process";
import { Writable } from "node:stream";
import { open, type FileHandle } from "node:fs/promises";

export type ReadEntry = {
  name: string;
  /** General purpose bit flag: bit 11 (0x800) means the name is UTF-8. */
  flags: number;
  /** 0 stored, 8 deflated. */
  method: number;
  size: number;
  compressedSize: number;
  headerOffset: number;
  /** Version needed to extract, from the central directory (45 for ZIP64 entries). */
  version: number;
  sha256: string;
  /** The entry's bytes (base64) when at most 1 MiB. */
  text?: string;
};

export type ReadZip = {
  entries: ReadEntry[];
  /** The file has a ZIP64 end of central directory record. */
  zip64: boolean;
  /** Central directory entries whose extra field holds ZIP64 information (tag 0x0001). */
  zip64Entries: number;
};

const SCRIPT = String.raw`
import base64, hashlib, json, struct, sys, zipfile
path = sys.argv[1]
out = {"entries": [], "zip64": False, "zip64Entries": 0}
with zipfile.ZipFile(path) as z:
    for info in z.infolist():
        h = hashlib.sha256()
        small = bytearray()
        with z.open(info) as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                h.update(chunk)
                if info.file_size <= (1 << 20):
                    small += chunk
        extra, zip64 = info.extra, False
        i = 0
        while i + 4 <= len(extra):
            tag, size = struct.unpack("<HH", extra[i:i + 4])
            zip64 = zip64 or tag == 1
            i += 4 + size
        out["zip64Entries"] += 1 if zip64 else 0
        entry = {"name": info.filename, "flags": info.flag_bits, "method": info.compress_type,
                 "size": info.file_size, "compressedSize": info.compress_size,
                 "headerOffset": info.header_offset, "version": info.extract_version, "sha256": h.hexdigest()}
        if info.file_size <= (1 << 20):
            entry["text"] = base64.b64encode(bytes(small)).decode()
        out["entries"].append(entry)
with open(path, "rb") as f:
    f.seek(0, 2)
    end = f.tell()
    f.seek(max(0, end - 66000))
    out["zip64"] = b"PK\x06\x06" in f.read()
print(json.dumps(out))
`;

/** The zip at `path`, as Python's zipfile reads it; rejects with Python's error when it cannot. */
export function readZip(path: string): Promise<ReadZip> {
  return new Promise((resolve, reject) => {
    execFile("python3", ["-c", SCRIPT, path], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`python3 zipfile could not read ${path}: ${stderr.trim().split("\n").at(-1) ?? err.message}`));
      else resolve(JSON.parse(stdout) as ReadZip);
    });
  });
}

/** An entry's bytes (it must be small enough to have come back whole). */
export function entryBytes(zip: ReadZip, name: string): Buffer {
  const entry = zip.entries.find((e) => e.name === name);
  if (!entry) throw new Error(`no ${name} in the zip: ${zip.entries.map((e) => e.name).join(", ")}`);
  if (entry.text === undefined) throw new Error(`${name} is too large to come back whole`);
  return Buffer.from(entry.text, "base64");
}

/**
 * A file sink that leaves runs of zero bytes as holes: a zip of many gigabytes of zeros takes a
 * few kilobytes of disk, and reading it back costs no disk either. `length` is what was written.
 */
export class SparseFileSink extends Writable {
  length = 0;
  private handle: FileHandle | null = null;

  constructor(private readonly path: string) {
    super({ highWaterMark: 1 << 20 });
  }

  override _construct(callback: (err?: Error | null) => void) {
    open(this.path, "w").then(
      (h) => {
        this.handle = h;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void) {
    const position = this.length;
    this.length += chunk.length;
    if (isZeros(chunk)) return callback();
    this.handle!.write(chunk, 0, chunk.length, position).then(() => callback(), callback);
  }

  override _final(callback: (err?: Error | null) => void) {
    // The trailing hole, if any, still counts towards the file's length.
    this.handle!.truncate(this.length)
      .then(() => this.handle!.close())
      .then(() => callback(), callback);
  }
}

const ZEROS = Buffer.alloc(1 << 20);

function isZeros(chunk: Buffer): boolean {
  for (let at = 0; at < chunk.length; at += ZEROS.length) {
    const part = chunk.subarray(at, Math.min(chunk.length, at + ZEROS.length));
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}
