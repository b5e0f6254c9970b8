// Written to kill mutants that survived the existing suite (docs/testing.md, "Mutation
// testing"): a cookie is accepted only as issued, the install secret is private and refuses a
// damaged file, and the page policy is sent whole. (Revocation and login attempt counts moved
// to PostgreSQL: lib/auth/login.test.ts and test/access-layers.test.ts test them there.)
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./headers";
import { installSecret } from "./secrets";
import { createSession, deriveSessionKey, verifySession } from "./session";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "vd-auth-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the session cookie", () => {
  const key = deriveSessionKey("correct horse", "x".repeat(43));
  const now = 1_800_000_000_000;

  it("accepts only the cookie as issued: a different key or an altered expiry is forged", () => {
    const { token } = createSession(key, now, 60_000);
    expect(verifySession(deriveSessionKey("another password", "x".repeat(43)), token, now)).toBeNull();
    expect(verifySession(deriveSessionKey("correct horse", "y".repeat(43)), token, now)).toBeNull();
    const [expires, ...rest] = token.split(".");
    expect(verifySession(key, [String(Number(expires) + 1), ...rest].join("."), now)).toBeNull();
  });
});

describe("the install secret", () => {
  it("is created private (mode 600) and read back unchanged", () => {
    const dir = join(tempDir(), "nested", "data");
    const secret = installSecret(dir);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, "session-secret")).mode & 0o777).toBe(0o600);
    expect(installSecret(dir)).toBe(secret);
  });

  it("refuses a damaged (too short) secret file instead of replacing it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "session-secret"), "short\n");
    expect(() => installSecret(dir)).toThrow(/too short to be a session secret/);
  });

  it("keeps a secret of exactly 32 characters", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "session-secret"), `${"s".repeat(32)}\n`);
    expect(installSecret(dir)).toBe("s".repeat(32));
  });
});

describe("the page headers", () => {
  it("sends the whole page policy, directive by directive", () => {
    expect(contentSecurityPolicy({ api: false, nonce: "N" }).split("; ")).toEqual([
      "default-src 'self'",
      "script-src 'self' 'nonce-N'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]);
    expect(securityHeaders({ api: false })).toMatchObject({
      "X-Frame-Options": "DENY",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    });
  });
});
