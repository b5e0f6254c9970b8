// Session cookies: signed, self-contained, expiring. A cookie is `<expires ms>.<random id>.<mac>`
// where mac = HMAC-SHA256(key, "<expires ms>.<random id>") and the key is derived from the
// dashboard password and the install's secret, so changing the password ends every session.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "vd_session";

export type SessionKey = Buffer;
export type Session = { id: string; expires: Date };

export function deriveSessionKey(password: string, installSecret: string): SessionKey {
  return Buffer.from(hkdfSync("sha256", password, installSecret, "wechat-video-dashboard session v1", 32));
}

export function createSession(key: SessionKey, now: number, ttlMs: number): { token: string; session: Session } {
  const expires = now + ttlMs;
  const id = randomBytes(16).toString("base64url");
  return { token: `${expires}.${id}.${mac(key, `${expires}.${id}`).toString("base64url")}`, session: { id, expires: new Date(expires) } };
}

const TOKEN_SHAPE = /^(\d{1,15})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * The session `token` stands for, or null when it is malformed, forged or expired. Whether it
 * was logged out is kept in PostgreSQL (login.ts, liveSessionId).
 */
export function verifySession(key: SessionKey, token: string | undefined, now: number): Session | null {
  if (!token || token.length > 200) return null;
  const m = TOKEN_SHAPE.exec(token);
  if (!m) return null;
  const [, expiresText, id, macText] = m;
  // Compared as text: base64url's last character carries spare bits, so several spellings decode
  // to the same bytes, and only the one we issued is accepted.
  const given = Buffer.from(macText);
  const expected = Buffer.from(mac(key, `${expiresText}.${id}`).toString("base64url"));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const expires = Number(expiresText);
  if (!(expires > now)) return null;
  return { id, expires: new Date(expires) };
}

function mac(key: SessionKey, text: string): Buffer {
  return createHmac("sha256", key).update(text).digest();
}
