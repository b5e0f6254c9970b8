import { describe, expect, it } from "vitest";
import { createSession, deriveSessionKey, verifySession } from "./session";

const key = deriveSessionKey("correct horse", "install-secret-0123456789abcdef0123");
const now = 1_750_000_000_000;
const hour = 3_600_000;

describe("session cookies", () => {
  it("accepts its own cookie until it expires", () => {
    const { token, session } = createSession(key, now, hour);
    expect(verifySession(key, token, now + hour - 1)).toEqual(session);
    expect(verifySession(key, token, now + hour)).toBeNull();
  });

  it("refuses a tampered cookie: a later expiry, another id, another mac, junk", () => {
    const { token } = createSession(key, now, hour);
    const [expires, id, mac] = token.split(".");
    expect(verifySession(key, `${Number(expires) + hour}.${id}.${mac}`, now)).toBeNull();
    expect(verifySession(key, `${expires}.${id.replace(/^./, (c) => (c === "A" ? "B" : "A"))}.${mac}`, now)).toBeNull();
    expect(verifySession(key, `${expires}.${id}.${mac.replace(/^./, (c) => (c === "A" ? "B" : "A"))}`, now)).toBeNull();
    for (const junk of ["", "x", "1.2.3", `${token}.`, token.repeat(3), "' OR 1=1 --", undefined]) {
      expect(verifySession(key, junk, now)).toBeNull();
    }
  });

  it("ends every session when the password changes, and differs per install", () => {
    const { token } = createSession(key, now, hour);
    expect(verifySession(deriveSessionKey("new password", "install-secret-0123456789abcdef0123"), token, now)).toBeNull();
    expect(verifySession(deriveSessionKey("correct horse", "another-install-0123456789abcdef012"), token, now)).toBeNull();
  });
});
