import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryBytes, readZip, SparseFileSink } from "../../test/support/zip-reader";
import { zipStream, type ZipEntry } from "./zip-writer";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zip-writer-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const MTIME = new Date("2024-09-20T10:03:47Z");
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** `total` bytes in chunks of `chunk`, made only when read (nothing is held). */
function generated(total: number, { chunk = 1 << 20, fill }: { chunk?: number; fill?: Buffer } = {}) {
  let sent = 0;
  const block = fill ?? Buffer.alloc(chunk);
  const stream = new Readable({
    highWaterMark: chunk,
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(block.length, total - sent);
      sent += n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
  return Object.assign(stream, { sent: () => sent });
}

async function* fromList(entries: ZipEntry[]) {
  yield* entries;
}

async function writeTo(path: string, entries: AsyncIterable<ZipEntry>) {
  const zip = zipStream(entries);
  await pipeline(zip, createWriteStream(path));
  return zip.finished;
}

describe("a zip written as a stream", () => {
  it("is read whole by Python's zipfile: UTF-8 names flagged (bit 11), text deflated, media stored, bytes and CRCs intact", async () => {
    const video = randomBytes(3 * 1024 * 1024 + 17);
    const csv = Buffer.from('id,fromNickName\n1,"小明, ""引号"""\n');
    const entries: ZipEntry[] = [
      { name: "videos.csv", body: Readable.from([csv]), compress: true, mtime: MTIME },
      // Chunked as a store reads it, with its size known.
      { name: "videos/7000000000000000001.mp4", body: Readable.from(chunks(video, 64 * 1024)), compress: false, size: video.length, mtime: MTIME },
      { name: "发送者/张三 🎬.txt", body: Readable.from([Buffer.from("你好")]), compress: true, mtime: MTIME },
      { name: "missing.csv", body: Readable.from([Buffer.from("id,kind,state,reason,detail\n")]), compress: true, mtime: MTIME },
    ];
    const path = join(dir, "small.zip");
    expect(await writeTo(path, fromList(entries))).toEqual({ entries: 4, aborted: false });

    const zip = await readZip(path);
    expect(zip.entries.map((e) => e.name)).toEqual(["videos.csv", "videos/7000000000000000001.mp4", "发送者/张三 🎬.txt", "missing.csv"]);
    for (const entry of zip.entries) expect(entry.flags & 0x800, entry.name).toBe(0x800);
    expect(zip.entries.map((e) => e.method)).toEqual([8, 0, 8, 8]);
    expect(entryBytes(zip, "videos.csv").equals(csv)).toBe(true);
    expect(zip.entries[1]).toMatchObject({ size: video.length, compressedSize: video.length, sha256: sha256(video) });
    expect(entryBytes(zip, "发送者/张三 🎬.txt").toString()).toBe("你好");
    expect(zip.zip64).toBe(false);
  });

  it("asks for an entry only after the one before it was read to its end, and reads no faster than the zip is taken", async () => {
    const events: string[] = [];
    const bodies: ReturnType<typeof generated>[] = [];
    async function* source(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < 3; i++) {
        events.push(`open ${i}`);
        const body = generated(8 * 1024 * 1024, { chunk: 64 * 1024 });
        body.once("end", () => events.push(`end ${i}`));
        bodies.push(body);
        yield { name: `videos/${i}.mp4`, body, compress: false, size: 8 * 1024 * 1024, mtime: MTIME };
      }
    }
    const zip = zipStream(source());
    // Take 1 MiB, then stop reading: the body must stop being read soon after.
    let taken = 0;
    await new Promise<void>((resolve) => {
      const take = (chunk: Buffer) => {
        taken += chunk.length;
        if (taken < 1024 * 1024) return;
        zip.pause();
        zip.off("data", take);
        resolve();
      };
      zip.on("data", take);
    });
    await settled(() => bodies[0].sent());
    expect(bodies).toHaveLength(1);
    // What was read from the body and not yet taken sits in the streams' buffers: a few of their high-water marks.
    expect(bodies[0].sent() - taken).toBeLessThan(4 * 1024 * 1024);

    zip.resume();
    const outcome = await zip.finished;
    expect(zip.readableEnded).toBe(true);
    expect(outcome).toEqual({ entries: 3, aborted: false });
    expect(events).toEqual(["open 0", "end 0", "open 1", "end 1", "open 2", "end 2"]);
  });

  it("stops reading when its reader goes away: the body in progress is destroyed and the source's cleanup runs", async () => {
    const cleanup: string[] = [];
    const body = generated(64 * 1024 * 1024, { chunk: 64 * 1024 });
    async function* source(): AsyncGenerator<ZipEntry> {
      try {
        yield { name: "videos/1.mp4", body, compress: false, mtime: MTIME };
        yield { name: "videos/2.mp4", body: generated(10), compress: false, mtime: MTIME };
      } finally {
        cleanup.push("finally");
      }
    }
    const zip = zipStream(source());
    await new Promise((resolve) => zip.once("data", resolve));
    zip.destroy();
    expect(await zip.finished).toEqual({ entries: 0, aborted: true });
    expect(body.destroyed).toBe(true);
    expect(body.sent()).toBeLessThan(8 * 1024 * 1024);
    expect(cleanup).toEqual(["finally"]);
  });

  it("fails, and says why, when a body fails or ends at another length than announced", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("the store hung up"));
      },
    });
    const broken = zipStream(fromList([{ name: "videos/1.mp4", body: failing, compress: false, mtime: MTIME }]));
    const sink = collect(broken);
    await expect(broken.finished).rejects.toThrow("the store hung up");
    await expect(sink).rejects.toThrow("the store hung up");

    const short = zipStream(fromList([{ name: "videos/1.mp4", body: generated(1000), compress: false, size: 1001, mtime: MTIME }]));
    const shortSink = collect(short);
    await expect(short.finished).rejects.toThrow(/unexpected number of bytes/);
    await expect(shortSink).rejects.toThrow(/unexpected number of bytes/);
  });

  // Past 4 GiB every offset and size needs ZIP64: the entries after the big ones are where a
  // writer without it goes wrong. The bodies are zeros and the file is sparse, so this costs CPU
  // (the CRC of 4.3 GiB, twice) but almost no disk.
  it("goes ZIP64 past 4 GiB, and Python's zipfile reads every entry back whole", { timeout: 600_000 }, async () => {
    const big = 2200 * 1024 * 1024;
    const after = randomBytes(4096);
    const entries: ZipEntry[] = [
      { name: "videos.csv", body: Readable.from([Buffer.from("id\n1\n2\n")]), compress: true, mtime: MTIME },
      { name: "videos/1.mp4", body: generated(big), compress: false, size: big, mtime: MTIME },
      { name: "videos/2.mp4", body: generated(big), compress: false, size: big, mtime: MTIME },
      { name: "previews/2.jpg", body: Readable.from([after]), compress: false, size: after.length, mtime: MTIME },
      { name: "missing.csv", body: Readable.from([Buffer.from("id,kind,state,reason,detail\n")]), compress: true, mtime: MTIME },
    ];
    const path = join(dir, "big.zip");
    const zip = zipStream(fromList(entries));
    const sink = new SparseFileSink(path);
    await pipeline(zip, sink);
    expect(await zip.finished).toEqual({ entries: 5, aborted: false });
    expect(sink.length).toBeGreaterThan(2 * big);

    const read = await readZip(path);
    expect(read.zip64).toBe(true);
    expect(read.entries.map((e) => [e.name, e.size])).toEqual([
      ["videos.csv", 7],
      ["videos/1.mp4", big],
      ["videos/2.mp4", big],
      ["previews/2.jpg", 4096],
      ["missing.csv", 28],
    ]);
    const zeros = createHash("sha256");
    for (let i = 0; i < big / (1 << 20); i++) zeros.update(Buffer.alloc(1 << 20));
    const zerosDigest = zeros.digest("hex");
    expect(read.entries[1].sha256).toBe(zerosDigest);
    expect(read.entries[2].sha256).toBe(zerosDigest);
    // The entries that start past 4 GiB carry their offset in a ZIP64 extra field.
    expect(read.entries[3].headerOffset).toBeGreaterThan(2 ** 32);
    expect(read.entries[4].headerOffset).toBeGreaterThan(2 ** 32);
    expect(read.zip64Entries).toBeGreaterThanOrEqual(2);
    expect(entryBytes(read, "previews/2.jpg").equals(after)).toBe(true);
    expect(entryBytes(read, "videos.csv").toString()).toBe("id\n1\n2\n");
  });
});

function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Resolves once `value()` has stopped changing for a while (the streams have filled their buffers). */
async function settled(value: () => number) {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 1000 && same < 5; i++) {
    const now = value();
    same = now === last ? same + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function collect(stream: Readable): Promise<number> {
  let bytes = 0;
  return pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _e, cb) {
        bytes += chunk.length;
        cb();
      },
    }),
  ).then(() => bytes);
}
