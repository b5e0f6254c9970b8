// npx tsx bench/media-verify.ts: what a media cache hit pays to prove its file intact.
// Compares the cache's check (a stat against the identity recorded when the file was last
// hashed) with hashing the whole file on every hit, and with a digest of its head and tail
// (cheaper, but blind to damage in the middle). Medians of 9, per hit.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markVerified, verifiedFile } from "../lib/media/store-local";
import { hashFile } from "../lib/media/hash";

async function headAndTail(path: string): Promise<void> {
  const file = await open(path);
  try {
    const size = (await file.stat()).size;
    const part = 64 * 1024;
    const buffer = Buffer.alloc(2 * part);
    await file.read(buffer, 0, part, 0);
    await file.read(buffer, part, part, Math.max(0, size - part));
  } finally {
    await file.close();
  }
}

async function median(task: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[4];
}

const dir = mkdtempSync(join(tmpdir(), "media-verify-"));
try {
  for (const mib of [1, 20, 100]) {
    const bytes = randomBytes(mib << 20);
    const path = join(dir, `${mib}`);
    writeFileSync(path, bytes);
    const { sha256 } = await hashFile(path, ["sha256"]);
    await markVerified(path);
    const full = await median(() => hashFile(path, ["sha256"]));
    const edges = await median(() => headAndTail(path));
    const check = await median(() => verifiedFile(path, sha256, bytes.length));
    console.log(
      `${String(mib).padStart(3)} MiB: hash on every hit ${full.toFixed(2)} ms | head+tail digest ${edges.toFixed(2)} ms | ` +
        `identity check ${check.toFixed(3)} ms (${(full / check).toFixed(0)}x cheaper than hashing)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
