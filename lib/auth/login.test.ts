import { describe, expect, it } from "vitest";
import { attemptLogin, createLoginGuard, logout, sessionCookie } from "./login";
import { verifySession } from "./session";
import { authSettingsFrom } from "./settings";

const settings = authSettingsFrom({
  DASHBOARD_PASSWORD: "open sesame",
  API_TOKEN: undefined,
  SESSION_SECRET: "a-session-secret-of-enough-length",
  SESSION_HOURS: 12,
  TRUST_PROXY: false,
  DATA_DIR: "/nonexistent",
});
const now = 1_750_000_000_000;

describe("attemptLogin", () => {
  it("opens a 12-hour session for the right password", () => {
    const result = attemptLogin(createLoginGuard(), settings, "open sesame", "10.0.0.1", now);
    expect(result).toMatchObject({ ok: true, maxAgeSeconds: 12 * 3600 });
    if (result.ok) expect(verifySession(settings.sessionKey!, result.token, now)).not.toBeNull();
  });

  it("answers 429 after 5 failures from one address, with the wait, even for the right password", () => {
    const guard = createLoginGuard();
    for (let i = 0; i < 5; i++) expect(attemptLogin(guard, settings, "guess", "10.0.0.2", now + i)).toMatchObject({ ok: false, status: 401 });
    expect(attemptLogin(guard, settings, "open sesame", "10.0.0.2", now + 10)).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 60 });
    expect(attemptLogin(guard, settings, "open sesame", "10.0.0.3", now + 10)).toMatchObject({ ok: true });
    expect(attemptLogin(guard, settings, "open sesame", "10.0.0.2", now + 60_001)).toMatchObject({ ok: true });
  });

  it("bounds guesses spread over many addresses", () => {
    const guard = createLoginGuard();
    for (let i = 0; i < 30; i++) attemptLogin(guard, settings, "guess", `10.1.0.${i}`, now);
    expect(attemptLogin(guard, settings, "guess", "10.2.0.1", now)).toMatchObject({ status: 429 });
  });

  it("is off without a password, and logout ends the session", () => {
    const off = authSettingsFrom({ DASHBOARD_PASSWORD: undefined, API_TOKEN: "x", SESSION_SECRET: undefined, SESSION_HOURS: 1, TRUST_PROXY: false, DATA_DIR: "/nonexistent" });
    expect(attemptLogin(createLoginGuard(), off, "anything", "10.0.0.4", now)).toMatchObject({ ok: false, status: 400 });
    const result = attemptLogin(createLoginGuard(), settings, "open sesame", "10.0.0.5", now);
    if (!result.ok) throw new Error("login failed");
    logout(settings, result.token, now + 1);
    expect(verifySession(settings.sessionKey!, result.token, now + 2)).toBeNull();
  });
});

describe("sessionCookie", () => {
  it("is HttpOnly, SameSite=Lax, expiring, and Secure over https", () => {
    expect(sessionCookie("s", "v", { maxAgeSeconds: 60, secure: false })).toBe("s=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
    expect(sessionCookie("s", "v", { maxAgeSeconds: 60, secure: true })).toMatch(/; Secure$/);
  });
});
