// Turning a downloaded or uploaded file into a kept one: checked, decrypted when needed, verified
// against the event's md5 (verify.ts), and stored under its sha256.
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { StoredMedia } from "./cache";
import type { Expectations } from "./source";
import type { MediaStore } from "./store";
import { verifyInto } from "./verify";

/**
 * Plain media is kept as is, anything else is decrypted with the event's aes_key; the result
 * must be media of the right kind and match the announced md5. The raw file at `raw` is left
 * for the caller to remove.
 */
export async function adopt(raw: string, expected: Pick<Expectations, "aesKey" | "md5" | "kind">, store: MediaStore): Promise<StoredMedia> {
  const plain = `${raw}.plain`;
  try {
    const verified = await verifyInto(createReadStream(raw), expected, plain);
    await store.putFile(verified.sha256, plain, { contentType: verified.contentType, bytes: verified.bytes });
    return verified;
  } finally {
    await rm(plain, { force: true });
  }
}
