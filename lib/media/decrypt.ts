// WeChat CDN media: AES-128-ECB with PKCS7 padding, the key being the 16 bytes of the hex
// aes_key. Streams, so a large video never sits in memory whole.
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from "node:crypto";

/**
 * The 16-byte key from a payload's aes_key. Normally 32 hex digits; some providers pass it
 * base64-encoded (of the raw 16 bytes, or of the 32 hex digits). Null when it is none of these.
 */
export function parseAesKey(aesKey: string | null | undefined): Buffer | null {
  const text = aesKey?.trim();
  if (!text) return null;
  if (/^[0-9a-fA-F]{32}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, "base64");
    if (decoded.length === 16) return decoded;
    const inner = decoded.toString("latin1");
    if (/^[0-9a-fA-F]{32}$/.test(inner)) return Buffer.from(inner, "hex");
  }
  return null;
}

export function createMediaDecipher(key: Buffer): Decipher {
  return createDecipheriv("aes-128-ecb", key, null);
}

/** Whole-buffer decryption; throws when the padding is wrong (a wrong key, or not encrypted). */
export function decryptMedia(data: Buffer, key: Buffer): Buffer {
  const decipher = createMediaDecipher(key);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/** What the CDN does, as a stream. */
export function createMediaCipher(key: Buffer): Cipher {
  return createCipheriv("aes-128-ecb", key, null);
}

/** What the CDN does: the stand-in CDN and the tests use it. */
export function encryptMedia(data: Buffer, key: Buffer): Buffer {
  const cipher = createMediaCipher(key);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}
