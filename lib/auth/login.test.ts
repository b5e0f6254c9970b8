import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { otherInstance, useTestDatabase } from "../../test/support/db";
import { attemptLogin, liveSessionId, logout, sessionCookie } from "./login";
import { verifySession } from "./session";
import { authSettingsFrom } from "./settings";

const db = useTestDatabase();
// Never written while SESSION_SECRET is set; a temporary folder all the same, since a mutation run
// (a mutant that ignores SESSION_SECRET) writes the install secret there.
const dataDir = mkdtempSync(join(tmpdir(), "login-test-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const settings = authSettingsFrom({
  DASHBOARD_PASSWORD: "open sesame",
  API_TOKEN: undefined,
  SESSION_SECRET: "a-session-secret-of-enough-length",
  SESSION_HOURS: 12,
  TRUST_PROXY: false,
  DATA_DIR: dataDir,
});
let now = 1_750_000_000_000;
// Each test its own minute, so that failure counts do not carry over.
const minute = () => (now += 3_600_000);

describe("attemptLogin (counts in PostgreSQL)", () => {
  it("opens a 12-hour session for the right password", async () => {
    const t = minute();
    const result = await attemptLogin(db.client, settings, "open sesame", "10.0.0.1", t);
    expect(result).toMatchObject({ ok: true, maxAgeSeconds: 12 * 3600 });
    if (result.ok) expect(verifySession(settings.sessionKey!, result.token, t)).not.toBeNull();
  });

  it("answers 429 after 5 failures from one address, with the wait, even for the right password", async () => {
    const t = minute();
    for (let i = 0; i < 5; i++) expect(await attemptLogin(db.client, settings, "guess", "10.0.0.2", t + i)).toMatchObject({ ok: false, status: 401 });
    expect(await attemptLogin(db.client, settings, "open sesame", "10.0.0.2", t + 10)).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 60 });
    expect(await attemptLogin(db.client, settings, "open sesame", "10.0.0.3", t + 10)).toMatchObject({ ok: true });
    expect(await attemptLogin(db.client, settings, "open sesame", "10.0.0.2", t + 60_005)).toMatchObject({ ok: true });
  });

  it("bounds guesses spread over many addresses", async () => {
    const t = minute();
    for (let i = 0; i < 30; i++) await attemptLogin(db.client, settings, "guess", `10.1.0.${i}`, t);
    expect(await attemptLogin(db.client, settings, "guess", "10.2.0.1", t)).toMatchObject({ status: 429 });
  });

  it("counts the failures of two instances together: no more guesses for running several", async () => {
    // Two app processes: two pools on the same database, as two instances behind a load balancer.
    const other = otherInstance(db.url, 2);
    try {
      const t = minute();
      for (let i = 0; i < 5; i++) await attemptLogin(i % 2 ? other.client : db.client, settings, "guess", "10.3.0.1", t + i);
      expect(await attemptLogin(other.client, settings, "open sesame", "10.3.0.1", t + 10)).toMatchObject({ status: 429 });
      expect(await attemptLogin(db.client, settings, "open sesame", "10.3.0.1", t + 10)).toMatchObject({ status: 429 });
    } finally {
      await other.end();
    }
  });

  it("is off without a password", async () => {
    const off = authSettingsFrom({ DASHBOARD_PASSWORD: undefined, API_TOKEN: "x", SESSION_SECRET: undefined, SESSION_HOURS: 1, TRUST_PROXY: false, DATA_DIR: dataDir });
    expect(await attemptLogin(db.client, off, "anything", "10.0.0.4", minute())).toMatchObject({ ok: false, status: 400 });
  });
});

describe("logout (revocation in PostgreSQL)", () => {
  it("ends the session on every instance, and only that session", async () => {
    const other = otherInstance(db.url, 2);
    try {
      const t = minute();
      const a = await attemptLogin(db.client, settings, "open sesame", "10.0.0.5", t);
      const b = await attemptLogin(other.client, settings, "open sesame", "10.0.0.5", t);
      if (!a.ok || !b.ok) throw new Error("login failed");
      expect(await liveSessionId(other.client, settings, a.token, t + 1)).not.toBeNull();
      await logout(db.client, settings, a.token, t + 1);
      // Logged out on the first instance: refused by the second.
      expect(await liveSessionId(other.client, settings, a.token, t + 2)).toBeNull();
      expect(await liveSessionId(db.client, settings, a.token, t + 2)).toBeNull();
      expect(await liveSessionId(other.client, settings, b.token, t + 2)).not.toBeNull();
      await logout(other.client, settings, a.token, t + 3);
    } finally {
      await other.end();
    }
  });
});

describe("sessionCookie", () => {
  it("is HttpOnly, SameSite=Lax, expiring, and Secure over https", () => {
    expect(sessionCookie("s", "v", { maxAgeSeconds: 60, secure: false })).toBe("s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
    expect(sessionCookie("s", "v", { maxAgeSeconds: 60, secure: true })).toMatch(/; Secure$/);
  });
});
