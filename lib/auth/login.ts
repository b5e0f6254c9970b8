// Logging in: the password check behind a rate limit, and the session it opens. The failure
// counts and logged-out sessions live in PostgreSQL (auth-state.ts), shared by every instance.
import type { Db } from "../db/client";
import { claimAttempt, forgetFailures, revokeSessionId, sessionRevoked } from "./auth-state";
import { Slots } from "../shared/slots";
import { secretsEqual } from "./secrets";
import { createSession, verifySession } from "./session";
import type { AuthSettings } from "./settings";

export type LoginResult =
  | { ok: true; token: string; maxAgeSeconds: number }
  | { ok: false; status: 400 | 401 | 429; error: string; retryAfterSeconds?: number };

/**
 * Attempts counted per client address, and from everyone together, per minute. Every attempt is
 * counted before its password is compared and stays counted unless it was right, so at most this
 * many wrong passwords are ever compared per window, however many arrive at once. The overall
 * limit bounds an attacker who spreads attempts over many addresses, at the price of making
 * everyone wait a minute during such an attack.
 */
export const LOGIN_LIMITS = { perAddress: 5, overall: 30, windowMs: 60_000 };

const EVERYONE = "*";

// Attempts are counted one at a time (claimAttempt's lock, across instances). Queued here first,
// so that a burst holds one pooled connection waiting for that lock, not every connection of the
// pool the callbacks and pages need too.
const counting = new Slots(1);

export async function attemptLogin(db: Db, settings: AuthSettings, password: string, address: string, now: number, limits = LOGIN_LIMITS): Promise<LoginResult> {
  if (!settings.password || !settings.sessionKey) {
    return { ok: false, status: 400, error: "login is off: set DASHBOARD_PASSWORD to turn it on" };
  }
  const claim = await counting.run(() =>
    claimAttempt(db, [{ key: address, limit: limits.perAddress }, { key: EVERYONE, limit: limits.overall }], now, limits.windowMs),
  );
  if (!claim.counted) {
    const retryAfterSeconds = Math.max(1, Math.ceil((claim.oldest + limits.windowMs - now) / 1000));
    return { ok: false, status: 429, error: `too many failed logins: try again in ${retryAfterSeconds} s`, retryAfterSeconds };
  }
  if (!secretsEqual(password, settings.password)) return { ok: false, status: 401, error: "wrong password" };
  await forgetFailures(db, claim, address);
  const { token } = createSession(settings.sessionKey, now, settings.sessionTtlMs);
  return { ok: true, token, maxAgeSeconds: Math.floor(settings.sessionTtlMs / 1000) };
}

/** The id of the live session `token` stands for: signed, unexpired and not logged out; else null. */
export async function liveSessionId(db: Db, settings: AuthSettings, token: string | undefined, now = Date.now()): Promise<string | null> {
  const session = settings.sessionKey ? verifySession(settings.sessionKey, token, now) : null;
  if (!session || (await sessionRevoked(db, session.id, now))) return null;
  return session.id;
}

/** Ends the session `token` stands for, on every instance; logging out twice is not an error. */
export async function logout(db: Db, settings: AuthSettings, token: string | undefined, now: number): Promise<void> {
  const session = settings.sessionKey ? verifySession(settings.sessionKey, token, now) : null;
  if (session) await revokeSessionId(db, session.id, session.expires, now);
}

export function sessionCookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${options.maxAgeSeconds}`, ...(options.secure ? ["Secure"] : [])].join("; ");
}
