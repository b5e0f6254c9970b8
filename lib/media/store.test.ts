// The media store's one contract, held by both implementations: the local disk, and S3 against a
// real S3-protocol server run as a separate process (fauxqs; no SDK mocks).
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startS3Server, type S3TestServer } from "../../test/support/s3-server";
import { MediaError } from "./errors";
import type { MediaStore } from "./store";
import { LocalStore } from "./store-local";
import { createStore } from "./stores";

let s3: S3TestServer;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "media-store-test-"));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  s3 = await startS3Server();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function fileWith(bytes: Buffer): string {
  const path = join(tempDir(), "upload");
  writeFileSync(path, bytes);
  return path;
}

const kinds: [string, () => MediaStore][] = [
  ["local", () => new LocalStore(tempDir())],
  [
    "s3",
    () =>
      createStore({
        MEDIA_STORE: "s3",
        DATA_DIR: tempDir(),
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: "us-east-1",
        S3_BUCKET: s3.bucket,
        S3_ACCESS_KEY_ID: "test",
        S3_SECRET_ACCESS_KEY: "test",
        S3_FORCE_PATH_STYLE: true,
        S3_PREFIX: `run-${randomBytes(4).toString("hex")}/`,
      }),
  ],
];

describe.each(kinds)("the %s store", (_kind, make) => {
  let store: MediaStore;
  beforeAll(() => {
    store = make();
  });

  test("a file put under its sha256 is stat'ed, read whole and read in ranges", async () => {
    const bytes = randomBytes(300_000);
    const name = sha256(bytes);
    expect(await store.stat(name)).toBeNull();
    await store.putFile(name, fileWith(bytes), { contentType: "video/mp4", bytes: bytes.length });
    const st = await store.stat(name);
    expect(st).toMatchObject({ name, bytes: bytes.length });
    expect((await bytesOf(await store.read(name))).equals(bytes)).toBe(true);
    expect((await bytesOf(await store.read(name, { start: 1000, end: 1999 }))).equals(bytes.subarray(1000, 2000))).toBe(true);
    expect((await bytesOf(await store.read(name, { start: 0, end: 0 }))).equals(bytes.subarray(0, 1))).toBe(true);
    const last = bytes.length - 1;
    expect((await bytesOf(await store.read(name, { start: last - 9, end: last }))).equals(bytes.subarray(last - 9))).toBe(true);
  });

  test("a stream larger than one part goes up whole (multipart) and comes back byte for byte", async () => {
    const bytes = randomBytes(19 * 1024 * 1024);
    const name = sha256(bytes);
    // In 1 MiB chunks with no length given, as a stream from the network would come.
    const chunks = Array.from({ length: 19 }, (_, i) => bytes.subarray(i << 20, (i + 1) << 20));
    await store.put(name, Readable.from(chunks), { contentType: "video/mp4" });
    expect((await store.stat(name))?.bytes).toBe(bytes.length);
    const back = await bytesOf(await store.read(name));
    expect(sha256(back)).toBe(name);
    const mid = await bytesOf(await store.read(name, { start: 9_000_000, end: 9_000_000 + 65_535 }));
    expect(mid.equals(bytes.subarray(9_000_000, 9_000_000 + 65_536))).toBe(true);
  }, 60_000);

  test("a large file put from disk (multipart) comes back byte for byte", async () => {
    const bytes = randomBytes(17 * 1024 * 1024 + 3);
    const name = sha256(bytes);
    await store.putFile(name, fileWith(bytes), { contentType: "video/mp4", bytes: bytes.length });
    expect(sha256(await bytesOf(await store.read(name)))).toBe(name);
  }, 60_000);

  test("putting a name that exists keeps the object; delete removes it, twice without error", async () => {
    const bytes = randomBytes(1000);
    const name = sha256(bytes);
    await store.putFile(name, fileWith(bytes), { contentType: "image/jpeg", bytes: bytes.length });
    await store.putFile(name, fileWith(bytes), { contentType: "image/jpeg", bytes: bytes.length });
    expect((await store.stat(name))?.bytes).toBe(1000);
    await store.delete(name);
    expect(await store.stat(name)).toBeNull();
    await store.delete(name);
    await expect(store.read(name)).rejects.toThrow();
  });

  test("list names every object and nothing else", async () => {
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const bytes = randomBytes(100 + i);
      names.push(sha256(bytes));
      await store.putFile(sha256(bytes), fileWith(bytes), { contentType: "image/jpeg", bytes: bytes.length });
    }
    const listed: string[] = [];
    for await (const o of store.list()) listed.push(o.name);
    for (const n of names) expect(listed).toContain(n);
    expect(listed.every((n) => /^[0-9a-f]{64}$/.test(n))).toBe(true);
    for (const n of names) await store.delete(n);
  });

  test("a name that is no sha256 is refused before it reaches a path or a key", async () => {
    for (const bad of ["../etc/passwd", "a".repeat(63), "A".repeat(64), `${"a".repeat(64)}/x`]) {
      await expect(store.stat(bad)).rejects.toThrow(/not an object name/);
    }
  });

  test("check() passes while the store is reachable", async () => {
    await store.check();
  });
});

describe("the s3 store", () => {
  test("keys carry S3_PREFIX, so the bucket's other keys are not listed", async () => {
    const store = kinds[1][1]();
    const bytes = randomBytes(64);
    const client = s3.client();
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: sha256(randomBytes(8)), Body: "outside the prefix" }));
    client.destroy();
    await store.putFile(sha256(bytes), fileWith(bytes), { contentType: "image/png", bytes: 64 });
    const listed: string[] = [];
    for await (const o of store.list()) listed.push(o.name);
    expect(listed).toEqual([sha256(bytes)]);
  });

  test("a store that cannot be reached is store_unavailable (503), for stat, read, put and check", async () => {
    const store = createStore({
      MEDIA_STORE: "s3",
      DATA_DIR: tempDir(),
      S3_ENDPOINT: "http://127.0.0.1:1",
      S3_REGION: "us-east-1",
      S3_BUCKET: "nowhere",
      S3_ACCESS_KEY_ID: "test",
      S3_SECRET_ACCESS_KEY: "test",
      S3_FORCE_PATH_STYLE: true,
      S3_PREFIX: "",
    });
    const name = sha256(Buffer.from("x"));
    const attempts = [() => store.stat(name), () => store.read(name), () => store.check(), () => store.putFile(name, fileWith(Buffer.from("x")), { contentType: "image/png", bytes: 1 })];
    for (const attempt of attempts) {
      const err = await attempt().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).reason).toBe("store_unavailable");
      expect((err as MediaError).kind).toBe("unavailable");
    }
  });
});

describe("the local store", () => {
  test("keeps objects under DATA_DIR/media/<sha256> and never lists its temporary files", async () => {
    const dataDir = tempDir();
    const store: MediaStore = new LocalStore(dataDir);
    const bytes = randomBytes(10);
    await store.put(sha256(bytes), Readable.from([bytes]), { contentType: "image/png" });
    expect(existsSync(join(dataDir, "media", sha256(bytes)))).toBe(true);
    writeFileSync(join(dataDir, "media", "tmp", "leftover"), "x");
    const listed: string[] = [];
    for await (const o of store.list()) listed.push(o.name);
    expect(listed).toEqual([sha256(bytes)]);
  });
});
