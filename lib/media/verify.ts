// Turning downloaded or uploaded bytes into a file fit to keep, in one pass over a stream: plain
// media pass as they are, anything else through the AES-128-ECB decipher with the event's
// aes_key; the result must be media of the right kind and match the announced md5. The bytes go
// to a file on disk as they come (a file is never whole in memory); the caller stores it under
// its sha256 and removes it.
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createMediaCipher, createMediaDecipher, parseAesKey } from "./decrypt";
import { MediaError } from "./errors";
import { fitsKind, sniff, SNIFF_BYTES, type Sniffed } from "./sniff";
import type { Expectations } from "./source";

export type Verified = { sha256: string; contentType: string; bytes: number };

/**
 * Chunks between the download and the file: Node's 16 KiB default costs a write (and a trip
 * through the thread pool) per 16 KiB, and a wake-up per chunk in each stage of the pipeline.
 */
const CHUNK_BYTES = 1 << 20;

/**
 * Streams `source` into the file `dest`, decrypting when needed, and checks it. Throws MediaError
 * (link_expired for a text page, not_media, decryption_failed, md5_mismatch); `dest` is then
 * left for the caller to remove.
 */
export async function verifyInto(
  source: Readable,
  expected: Pick<Expectations, "aesKey" | "md5" | "kind">,
  dest: string,
  signal?: AbortSignal,
): Promise<Verified> {
  const decoder = new MediaDecoder(expected.aesKey);
  try {
    await pipeline(source, decoder, createWriteStream(dest, { highWaterMark: CHUNK_BYTES }), signal ? { signal } : {});
  } catch (err) {
    if (err instanceof MediaError) throw err;
    if (decoder.finalFailed) {
      // The decipher's padding check failed: a wrong key, or a page of text where the file should be.
      throw looksLikeText(decoder.rawHead) ? expiredPage() : new MediaError("decryption_failed", "decryption failed: the file does not decrypt with the event's aes_key");
    }
    throw err;
  }
  const sniffed: Sniffed | null = sniff(decoder.plainHead);
  if (!sniffed) {
    if (!decoder.decrypting && looksLikeText(decoder.rawHead)) throw expiredPage();
    throw decoder.decrypting
      ? new MediaError("decryption_failed", "decryption failed: the decrypted bytes are no known video or image format (wrong aes_key?)")
      : new MediaError("not_media", "the file is no known video or image format");
  }
  if (!fitsKind(sniffed, expected.kind)) {
    throw new MediaError("not_media", `expected ${expected.kind === "video" ? "a video" : "an image"}, got ${sniffed.contentType}`);
  }
  const md5 = normaliseMd5(expected.md5);
  const plainMd5 = decoder.plainMd5.digest("hex");
  // The payload's md5 is the plain file's; a provider that hashed the encrypted bytes is accepted
  // too. That md5 is computed only when the plain one differs: AES-ECB with PKCS#7 padding is
  // deterministic, so encrypting the file again gives the downloaded bytes (one md5 per byte
  // downloaded instead of two, on the archive's hot path).
  if (md5 && plainMd5 !== md5 && !(decoder.key && (await encryptedMd5(dest, decoder.key)) === md5)) {
    throw new MediaError("md5_mismatch", `md5 mismatch: the file's md5 is ${plainMd5}, the payload announced ${md5}`);
  }
  return { sha256: decoder.sha256.digest("hex"), contentType: sniffed.contentType, bytes: decoder.plainBytes };
}

/** The md5 of the file at `path` encrypted with `key` (AES-128-ECB, PKCS#7), as the CDN served it. */
async function encryptedMd5(path: string, key: Buffer): Promise<string> {
  const md5 = createHash("md5");
  await pipeline(createReadStream(path, { highWaterMark: CHUNK_BYTES }), createMediaCipher(key), md5);
  return md5.digest("hex");
}

/**
 * Holds back the first SNIFF_BYTES to decide: known media pass through, anything else goes
 * through the decipher. Hashes the plain bytes (md5, sha256) on the way.
 */
class MediaDecoder extends Transform {
  rawHead = Buffer.alloc(0);
  plainHead = Buffer.alloc(0);
  decrypting = false;
  /** The decipher refused the padding at the end: a wrong key, or not encrypted at all. */
  finalFailed = false;
  plainBytes = 0;
  /** The key the file was decrypted with, when it was. */
  key: Buffer | null = null;
  readonly plainMd5: Hash = createHash("md5");
  readonly sha256: Hash = createHash("sha256");
  private decided = false;
  private decipher: ReturnType<typeof createMediaDecipher> | null = null;

  constructor(private readonly aesKey: string | null) {
    super({ highWaterMark: CHUNK_BYTES });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    try {
      if (!this.decided) {
        this.rawHead = Buffer.concat([this.rawHead, chunk]);
        if (this.rawHead.length < SNIFF_BYTES) return done();
        const held = this.rawHead;
        this.rawHead = held.subarray(0, SNIFF_BYTES);
        this.decide();
        this.emitPlain(this.decipher ? this.decipher.update(held) : held);
        return done();
      }
      this.emitPlain(this.decipher ? this.decipher.update(chunk) : chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback) {
    try {
      if (!this.decided) {
        // Shorter than a head: decide on what there is.
        const held = this.rawHead;
        this.decide();
        this.emitPlain(this.decipher ? this.decipher.update(held) : held);
      }
      if (this.decipher) {
        let last: Buffer;
        try {
          last = this.decipher.final();
        } catch (err) {
          this.finalFailed = true;
          throw err;
        }
        this.emitPlain(last);
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private decide() {
    this.decided = true;
    if (sniff(this.rawHead)) return;
    const key = parseAesKey(this.aesKey);
    if (!key) {
      throw looksLikeText(this.rawHead)
        ? expiredPage()
        : new MediaError("not_media", "the file is no known video or image format, and the event has no usable aes_key to decrypt it");
    }
    this.decrypting = true;
    this.key = key;
    this.decipher = createMediaDecipher(key);
  }

  private emitPlain(plain: Buffer) {
    if (plain.length === 0) return;
    if (this.plainHead.length < SNIFF_BYTES) this.plainHead = Buffer.concat([this.plainHead, plain.subarray(0, SNIFF_BYTES - this.plainHead.length)]);
    this.plainMd5.update(plain);
    this.sha256.update(plain);
    this.plainBytes += plain.length;
    this.push(plain);
  }
}

function expiredPage(): MediaError {
  return new MediaError("link_expired", "the CDN answered a text page instead of the file: the link has probably expired");
}

/** A payload md5 we can check against; anything else is treated as absent. */
function normaliseMd5(md5: string | null): string | null {
  const text = md5?.trim().toLowerCase();
  return text && /^[0-9a-f]{32}$/.test(text) ? text : null;
}

function looksLikeText(head: Buffer): boolean {
  return head.length > 0 && head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
}
