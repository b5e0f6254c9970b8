// adopt(), directly: what a downloaded or uploaded file must be before it enters the cache.
// Written against the mutants Stryker left alive in lib/media (docs/testing.md).
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { mediaFailure } from "../../test/support/media-failure";
import { adopt } from "./adopt";
import { LocalStore } from "./store-local";
import { encryptMedia } from "./decrypt";

const dataDir = mkdtempSync(join(tmpdir(), "adopt-"));
mkdirSync(join(dataDir, "media"), { recursive: true });
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const store = new LocalStore(dataDir);

/** An MP4 (an ftyp box, then filler): what sniff() calls video/mp4. */
const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypisom"), Buffer.alloc(12), randomBytes(4000)]);
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
let n = 0;
function rawFile(bytes: Buffer): string {
  const path = join(dataDir, `raw-${n++}`);
  writeFileSync(path, bytes);
  return path;
}
const cached = () => readdirSync(join(dataDir, "media"));

describe("adopting a file into the cache", () => {
  test("a plain file whose md5 differs from the payload's is refused and never cached", async () => {
    const before = cached();
    const err = await mediaFailure(adopt(rawFile(mp4), { aesKey: null, md5: md5(Buffer.from("other")), kind: "video" }, store));
    expect(err.reason).toBe("md5_mismatch");
    expect(err.message).toContain(md5(mp4));
    expect(cached()).toEqual(before);
  });

  test("the md5 is matched without regard to case or surrounding spaces; a longer string is no md5 at all", async () => {
    const stored = await adopt(rawFile(mp4), { aesKey: null, md5: ` ${md5(mp4).toUpperCase()} `, kind: "video" }, store);
    expect(stored.contentType).toBe("video/mp4");
    // Not an md5 (33 hex digits, or one with a prefix): nothing to check against, accepted.
    for (const notMd5 of [`${md5(Buffer.from("x"))}0`, `0${md5(Buffer.from("x"))}`]) {
      await expect(adopt(rawFile(mp4), { aesKey: null, md5: notMd5, kind: "video" }, store)).resolves.toMatchObject({ contentType: "video/mp4" });
    }
  });

  test("an encrypted file is checked against the md5 of its plain bytes or of the bytes as downloaded; any other md5 is refused", async () => {
    const key = randomBytes(16);
    const encrypted = encryptMedia(mp4, key);
    for (const announced of [md5(mp4), md5(encrypted)]) {
      const stored = await adopt(rawFile(encrypted), { aesKey: key.toString("hex"), md5: announced, kind: "video" }, store);
      expect(stored).toMatchObject({ contentType: "video/mp4", bytes: mp4.length, sha256: createHash("sha256").update(mp4).digest("hex") });
    }
    // The md5 of the encrypted bytes with one byte changed (the last block: padding included).
    const other = Buffer.from(encrypted);
    other[other.length - 1] ^= 1;
    const err = await mediaFailure(adopt(rawFile(encrypted), { aesKey: key.toString("hex"), md5: md5(other), kind: "video" }, store));
    expect(err.reason).toBe("md5_mismatch");
    expect(err.message).toContain(md5(mp4));
  });

  test("bytes that decrypt cleanly but are no media: decryption failed", async () => {
    const key = randomBytes(16);
    const err = await mediaFailure(adopt(rawFile(encryptMedia(randomBytes(3000), key)), { aesKey: key.toString("hex"), md5: null, kind: "video" }, store));
    expect(err.reason).toBe("decryption_failed");
    expect(err.message).toMatch(/no known video or image format/);
  });

  test("a text page (spaces, tabs, CR LF) is an expired link, with a key or without", async () => {
    // Its first 16 bytes (what is looked at) hold a tab, a CR, a LF and a space.
    const page = Buffer.from("<html>\t<b>\r\nx y</b>link expired</html>\n");
    expect((await mediaFailure(adopt(rawFile(page), { aesKey: null, md5: null, kind: "video" }, store))).reason).toBe("link_expired");
    expect((await mediaFailure(adopt(rawFile(page), { aesKey: randomBytes(16).toString("hex"), md5: null, kind: "video" }, store))).reason).toBe("link_expired");
  });

  test("binary that is not text (a DEL byte, high bytes, control bytes), or an empty file, and no key: not media", async () => {
    for (const bytes of [Buffer.from("abcdefgh\x7fijklmnop"), Buffer.from([0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87]), Buffer.from("ab\x01\x02cd\x1bef"), Buffer.alloc(0)]) {
      const err = await mediaFailure(adopt(rawFile(bytes), { aesKey: null, md5: null, kind: "video" }, store));
      expect(err.reason).toBe("not_media");
      expect(err.message).toMatch(/no usable aes_key/);
    }
  });

  test("a video where an image is expected (and the reverse) is refused, saying what it got", async () => {
    const err = await mediaFailure(adopt(rawFile(mp4), { aesKey: null, md5: null, kind: "preview" }, store));
    expect(err.reason).toBe("not_media");
    expect(err.message).toBe("expected an image, got video/mp4");
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(100)]);
    expect((await mediaFailure(adopt(rawFile(jpeg), { aesKey: null, md5: null, kind: "video" }, store))).message).toBe("expected a video, got image/jpeg");
  });

  test("the decrypted copy is removed whatever happens", async () => {
    const key = randomBytes(16);
    const raw = rawFile(encryptMedia(mp4, key));
    await adopt(raw, { aesKey: key.toString("hex"), md5: null, kind: "video" }, store);
    const rawBad = rawFile(encryptMedia(randomBytes(3000), key));
    await mediaFailure(adopt(rawBad, { aesKey: key.toString("hex"), md5: null, kind: "video" }, store));
    expect(existsSync(`${raw}.plain`)).toBe(false);
    expect(existsSync(`${rawBad}.plain`)).toBe(false);
  });
});
