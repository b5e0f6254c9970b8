// Turning a downloaded or uploaded file into a cached one: checked, decrypted when needed,
// verified against the event's md5, and renamed into the cache under its sha256.
import { createReadStream, createWriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { markVerified, mediaDir, type StoredMedia } from "./cache";
import { createMediaDecipher, parseAesKey } from "./decrypt";
import { MediaError } from "./errors";
import { hashFile } from "./hash";
import { fitsKind, sniff, SNIFF_BYTES } from "./sniff";
import type { Expectations } from "./source";

/**
 * Plain media is kept as is, anything else is decrypted with the event's aes_key; the result
 * must be media of the right kind and match the announced md5. The raw file at `raw` is left
 * for the caller to remove.
 */
export async function adopt(raw: string, expected: Pick<Expectations, "aesKey" | "md5" | "kind">, dataDir: string): Promise<StoredMedia> {
  const head = await readHead(raw);
  let plain = raw;
  let sniffed = sniff(head);
  const decrypted = `${raw}.plain`;
  try {
    if (!sniffed) {
      const key = parseAesKey(expected.aesKey);
      if (!key) {
        throw looksLikeText(head)
          ? expiredPage()
          : new MediaError("not_media", "the file is no known video or image format, and the event has no usable aes_key to decrypt it");
      }
      try {
        await pipeline(createReadStream(raw), createMediaDecipher(key), createWriteStream(decrypted));
      } catch {
        throw looksLikeText(head) ? expiredPage() : new MediaError("decryption_failed", "decryption failed: the file does not decrypt with the event's aes_key");
      }
      plain = decrypted;
      sniffed = sniff(await readHead(plain));
      if (!sniffed) throw new MediaError("decryption_failed", "decryption failed: the decrypted bytes are no known video or image format (wrong aes_key?)");
    }
    if (!fitsKind(sniffed, expected.kind)) {
      throw new MediaError("not_media", `expected ${expected.kind === "video" ? "a video" : "an image"}, got ${sniffed.contentType}`);
    }
    const hashes = await hashFile(plain, ["md5", "sha256"]);
    const md5 = normaliseMd5(expected.md5);
    // The payload's md5 is the plain file's; a provider that hashed the encrypted bytes is accepted too.
    if (md5 && hashes.md5 !== md5 && (plain === raw || (await hashFile(raw, ["md5"])).md5 !== md5)) {
      throw new MediaError("md5_mismatch", `md5 mismatch: the file's md5 is ${hashes.md5}, the payload announced ${md5}`);
    }
    const path = join(mediaDir(dataDir), hashes.sha256);
    await rename(plain, path);
    await markVerified(path);
    return { path, sha256: hashes.sha256, contentType: sniffed.contentType, bytes: hashes.bytes };
  } finally {
    await rm(decrypted, { force: true });
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

async function readHead(path: string): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
