// Logging in: the password check behind a rate limit, and the session it opens. The failure
// counts and logged-out sessions live in PostgreSQL (auth-state.ts), shared by every instance.
import type { Pool } from "pg";
import { forgetFailures, recentFailures, recordFailure, revokeSessionId, sessionRevoked } from "./auth-state";
import { secretsEqual } from "./secrets";
import { createSession, verifySession } from "./session";
import type { AuthSettings } from "./settings";

export type LoginResult =
  | { ok: true; token: string; maxAgeSeconds: number }
  | { ok: false; status: 400 | 401 | 429; error: string; retryAfterSeconds?: number };

/**
 * Failed attempts allowed per client address, and from everyone together, per minute. The
 * overall limit bounds an attacker who spreads attempts over many addresses, at the price of
 * making everyone wait a minute during such an attack.
 */
export const LOGIN_LIMITS = { perAddress: 5, overall: 30, windowMs: 60_000 };

const EVERYONE = "*";

export async function attemptLogin(db: Pool, settings: AuthSettings, password: string, address: string, now: number, limits = LOGIN_LIMITS): Promise<LoginResult> {
  if (!settings.password || !settings.sessionKey) {
    return { ok: false, status: 400, error: "login is off: set DASHBOARD_PASSWORD to turn it on" };
  }
  const counts = await recentFailures(db, [address, EVERYONE], now - limits.windowMs);
  for (const [key, limit] of [[address, limits.perAddress], [EVERYONE, limits.overall]] as const) {
    const { count, oldest } = counts.get(key)!;
    if (count >= limit && oldest !== null) {
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest + limits.windowMs - now) / 1000));
      return { ok: false, status: 429, error: `too many failed logins: try again in ${retryAfterSeconds} s`, retryAfterSeconds };
    }
  }
  if (!secretsEqual(password, settings.password)) {
    await recordFailure(db, [address, EVERYONE], now, limits.windowMs);
    return { ok: false, status: 401, error: "wrong password" };
  }
  await forgetFailures(db, address);
  const { token } = createSession(settings.sessionKey, now, settings.sessionTtlMs);
  return { ok: true, token, maxAgeSeconds: Math.floor(settings.sessionTtlMs / 1000) };
}

/** The id of the live session `token` stands for: signed, unexpired and not logged out; else null. */
export async function liveSessionId(db: Pool, settings: AuthSettings, token: string | undefined, now = Date.now()): Promise<string | null> {
  const session = settings.sessionKey ? verifySession(settings.sessionKey, token, now) : null;
  if (!session || (await sessionRevoked(db, session.id, now))) return null;
  return session.id;
}

/** Ends the session `token` stands for, on every instance; logging out twice is not an error. */
export async function logout(db: Pool, settings: AuthSettings, token: string | undefined, now: number): Promise<void> {
  const session = settings.sessionKey ? verifySession(settings.sessionKey, token, now) : null;
  if (session) await revokeSessionId(db, session.id, session.expires, now);
}

export function sessionCookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${options.maxAgeSeconds}`, ...(options.secure ? ["Secure"] : [])].join("; ");
}
