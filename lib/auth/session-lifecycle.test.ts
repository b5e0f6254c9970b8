// Written to kill mutants that survived the existing suite (docs/testing.md, "Mutation
// testing"): a revoked session stays revoked only until it would have expired, the install
// secret is private and refuses a damaged file, the failure window's bounds hold, logging out
// never throws, and the page policy is sent whole.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./headers";
import { hasSession, logout } from "./login";
import { FailureWindow } from "./rate-limit";
import { installSecret } from "./secrets";
import { createSession, deriveSessionKey, revokeSession, verifySession } from "./session";
import { authSettingsFrom } from "./settings";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "vd-auth-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("session revocation", () => {
  const key = deriveSessionKey("correct horse", "x".repeat(43));
  const now = 1_800_000_000_000;

  it("ends exactly the revoked session, until the moment it would have expired", () => {
    const a = createSession(key, now, 60_000);
    const b = createSession(key, now, 60_000);
    revokeSession(a.session, now);
    expect(verifySession(key, a.token, now + 1)).toBeNull();
    expect(verifySession(key, b.token, now + 1)).toMatchObject({ id: b.session.id });
    // The last millisecond of its life: still revoked; afterwards expired anyway.
    expect(verifySession(key, a.token, now + 59_999)).toBeNull();
    expect(verifySession(key, a.token, now + 60_000)).toBeNull();
  });

  it("forgets revocations once they are past, without forgetting live ones", () => {
    const old = createSession(key, now, 1_000);
    const current = createSession(key, now, 3_600_000);
    revokeSession(old.session, now);
    revokeSession(current.session, now);
    // A later logout sweeps the expired entry; the live one must survive the sweep.
    revokeSession(createSession(key, now + 2_000, 1_000).session, now + 2_000);
    expect(verifySession(key, current.token, now + 2_001)).toBeNull();
  });

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

describe("the failure window", () => {
  it("counts a failure for exactly windowMs", () => {
    const w = new FailureWindow(1, 1_000);
    w.recordFailure("k", 0);
    expect(w.check("k", 999)).toMatchObject({ allowed: false });
    expect(w.check("k", 1_000)).toEqual({ allowed: true });
  });

  it("stays within maxKeys under a flood of distinct keys, dropping stale keys before live ones", () => {
    const w = new FailureWindow(1, 1_000, 3);
    w.recordFailure("stale", 0);
    w.recordFailure("live1", 5_000);
    w.recordFailure("live2", 5_000);
    w.recordFailure("new", 5_100);
    expect(w.check("live1", 5_100)).toMatchObject({ allowed: false });
    expect(w.check("live2", 5_100)).toMatchObject({ allowed: false });
    expect(w.check("new", 5_100)).toMatchObject({ allowed: false });
    for (let i = 0; i < 50; i++) w.recordFailure(`flood${i}`, 5_200);
    expect((w as unknown as { failures: Map<string, number[]> }).failures.size).toBeLessThanOrEqual(3);
    // A key already tracked records without evicting anyone.
    const full = new FailureWindow(2, 1_000, 2);
    full.recordFailure("a", 0);
    full.recordFailure("b", 0);
    full.recordFailure("a", 1);
    expect(full.check("a", 2)).toMatchObject({ allowed: false });
    expect(full.check("b", 2)).toEqual({ allowed: true });
  });
});

describe("logging out and the page headers", () => {
  it("logging out with no cookie, a forged one or twice is not an error, and ends only that session", () => {
    const settings = authSettingsFrom({ DASHBOARD_PASSWORD: "pw", SESSION_SECRET: "z".repeat(40), SESSION_HOURS: 1, TRUST_PROXY: false, DATA_DIR: tempDir() } as Parameters<typeof authSettingsFrom>[0]);
    expect(settings.loginRequired).toBe(true);
    const now = Date.now();
    const { token } = createSession(settings.sessionKey!, now, 60_000);
    expect(() => logout(settings, undefined, now)).not.toThrow();
    expect(() => logout(settings, "1.forged.cookie", now)).not.toThrow();
    expect(hasSession(settings, token, now)).toBe(true);
    logout(settings, token, now);
    expect(() => logout(settings, token, now)).not.toThrow();
    expect(hasSession(settings, token, now)).toBe(false);
    expect(authSettingsFrom({ SESSION_HOURS: 1, TRUST_PROXY: false, DATA_DIR: tempDir() } as Parameters<typeof authSettingsFrom>[0]).loginRequired).toBe(false);
  });

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
