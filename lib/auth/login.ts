// Logging in: the password check behind a rate limit, and the session it opens.
import { FailureWindow } from "./rate-limit";
import { secretsEqual } from "./secrets";
import { createSession, revokeSession, verifySession } from "./session";
import type { AuthSettings } from "./settings";

export type LoginResult =
  | { ok: true; token: string; maxAgeSeconds: number }
  | { ok: false; status: 400 | 401 | 429; error: string; retryAfterSeconds?: number };

/** Failed attempts allowed per client address, and from everyone together, per minute. */
export const LOGIN_LIMITS = { perAddress: 5, overall: 30, windowMs: 60_000 };

export type LoginGuard = { perAddress: FailureWindow; overall: FailureWindow };

export function createLoginGuard(limits = LOGIN_LIMITS): LoginGuard {
  return {
    perAddress: new FailureWindow(limits.perAddress, limits.windowMs),
    // Bounds guessing by an attacker who spreads attempts over many addresses, at the price of
    // making everyone wait a minute during such an attack.
    overall: new FailureWindow(limits.overall, limits.windowMs),
  };
}

export function attemptLogin(guard: LoginGuard, settings: AuthSettings, password: string, address: string, now: number): LoginResult {
  if (!settings.password || !settings.sessionKey) {
    return { ok: false, status: 400, error: "login is off: set DASHBOARD_PASSWORD to turn it on" };
  }
  for (const [window, key] of [[guard.perAddress, address], [guard.overall, "*"]] as const) {
    const verdict = window.check(key, now);
    if (!verdict.allowed) {
      return { ok: false, status: 429, error: `too many failed logins: try again in ${verdict.retryAfterSeconds} s`, retryAfterSeconds: verdict.retryAfterSeconds };
    }
  }
  if (!secretsEqual(password, settings.password)) {
    guard.perAddress.recordFailure(address, now);
    guard.overall.recordFailure("*", now);
    return { ok: false, status: 401, error: "wrong password" };
  }
  guard.perAddress.forget(address);
  const { token } = createSession(settings.sessionKey, now, settings.sessionTtlMs);
  return { ok: true, token, maxAgeSeconds: Math.floor(settings.sessionTtlMs / 1000) };
}

export function hasSession(settings: AuthSettings, token: string | undefined, now = Date.now()): boolean {
  return !!settings.sessionKey && verifySession(settings.sessionKey, token, now) !== null;
}

/** Ends the session `token` stands for, if it is one; logging out twice is not an error. */
export function logout(settings: AuthSettings, token: string | undefined, now: number): void {
  const session = settings.sessionKey ? verifySession(settings.sessionKey, token, now) : null;
  if (session) revokeSession(session, now);
}

export function sessionCookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${options.maxAgeSeconds}`, ...(options.secure ? ["Secure"] : [])].join("; ");
}
