// Constant-time comparison of secrets, and the per-install secret that keys session cookies.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Whether `given` equals `expected`, in time that depends on neither. Both are hashed first so
 * that timingSafeEqual sees equal lengths and the length of the secret does not leak either.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

const SECRET_FILE = "session-secret";

/**
 * A random secret kept in `dataDir`, created on first use (mode 600). Cookies are signed with a
 * key derived from it and the password: without it, a stolen cookie would let anyone guess the
 * password offline, and the same password on two installs would accept each other's cookies.
 */
export function installSecret(dataDir: string): string {
  const path = join(dataDir, SECRET_FILE);
  try {
    const existing = readFileSync(path, "utf8").trim();
    if (existing.length >= 32) return existing;
    if (existing.length > 0) throw new Error(`${path} is too short to be a session secret: delete it and restart`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const fresh = randomBytes(32).toString("base64url");
  try {
    // "wx": when two processes race, the first one's secret wins and the second reads it.
    writeFileSync(path, `${fresh}\n`, { flag: "wx", mode: 0o600 });
    chmodSync(path, 0o600);
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return readWrittenSecret(path);
  }
}

/** Another process created the file a moment ago: wait briefly for its content. */
function readWrittenSecret(path: string): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const text = readFileSync(path, "utf8").trim();
    if (text.length >= 32) return text;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  throw new Error(`${path} is not a valid session secret: delete it and restart`);
}
