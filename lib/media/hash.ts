import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** The file's digests in one read, hex, with its length. */
export async function hashFile<A extends "md5" | "sha256">(path: string, algorithms: readonly A[]): Promise<Record<A, string> & { bytes: number }> {
  const hashes = algorithms.map((a) => createHash(a));
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    for (const h of hashes) h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  const digests = Object.fromEntries(algorithms.map((a, i) => [a, hashes[i].digest("hex")])) as Record<A, string>;
  return { ...digests, bytes };
}
