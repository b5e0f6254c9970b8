// Login state at its edges: a successful login wipes the address's failures, the tables prune what
// no longer counts, a logout without a valid session is a no-op, and the settings a password and
// SESSION_SECRET give. Written against the mutants Stryker left alive in lib/auth (docs/testing.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { attemptLogin, logout } from "./login";
import { createSession, verifySession } from "./session";
import { authSettingsFrom } from "./settings";

const db = useTestDatabase();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
/** A DATA_DIR of its own: a mutant that reads the install secret despite SESSION_SECRET writes there. */
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "vd-auth-instance-"));
  dirs.push(dir);
  return dir;
};
const base = { API_TOKEN: undefined, SESSION_HOURS: 12, TRUST_PROXY: false, DATA_DIR: dataDir() };
const settings = authSettingsFrom({ ...base, DASHBOARD_PASSWORD: "open sesame", SESSION_SECRET: "a-session-secret-of-enough-length" });

async function rows(table: string): Promise<number> {
  const { rows: [row] } = await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

describe("login state in PostgreSQL", () => {
  it("forgets an address's failures once it logs in: four typos, a login, four more typos, and the password still works", async () => {
    const t = 1_750_000_000_000;
    for (let i = 0; i < 4; i++) await attemptLogin(db.client, settings, "typo", "10.9.0.1", t + i);
    expect(await attemptLogin(db.client, settings, "open sesame", "10.9.0.1", t + 10)).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) await attemptLogin(db.client, settings, "typo", "10.9.0.1", t + 20 + i);
    expect(await attemptLogin(db.client, settings, "open sesame", "10.9.0.1", t + 30)).toMatchObject({ ok: true });
  });

  it("prunes failures older than the window and logged-out sessions once they would have expired", async () => {
    const t = 1_760_000_000_000;
    await attemptLogin(db.client, settings, "typo", "10.9.0.2", t);
    expect(await rows("login_failures")).toBeGreaterThan(0);
    await db.pool.query("TRUNCATE login_failures");
    await attemptLogin(db.client, settings, "typo", "10.9.0.2", t);
    await attemptLogin(db.client, settings, "typo", "10.9.0.3", t + 60_001);
    // Only the last failure's two rows (its address and "everyone") are left.
    expect(await rows("login_failures")).toBe(2);

    const early = createSession(settings.sessionKey!, t, 60_000).token;
    await logout(db.client, settings, early, t + 1);
    expect(await rows("revoked_sessions")).toBe(1);
    const later = createSession(settings.sessionKey!, t + 120_000, 60_000).token;
    await logout(db.client, settings, later, t + 120_001);
    expect(await rows("revoked_sessions")).toBe(1);
  });

  it("a logout without a valid session (none, forged, expired) does nothing", async () => {
    const before = await rows("revoked_sessions");
    const t = 1_770_000_000_000;
    const expired = createSession(settings.sessionKey!, t - 120_000, 60_000).token;
    for (const token of [undefined, "", "1.forged.cookie", expired]) await logout(db.client, settings, token, t);
    expect(await rows("revoked_sessions")).toBe(before);
  });
});

describe("auth settings", () => {
  it("require a login exactly when DASHBOARD_PASSWORD is set", () => {
    expect(settings).toMatchObject({ loginRequired: true, sessionKey: expect.any(Buffer) });
    expect(authSettingsFrom({ ...base, DASHBOARD_PASSWORD: undefined, SESSION_SECRET: undefined })).toMatchObject({ loginRequired: false, sessionKey: undefined });
  });

  it("sign with SESSION_SECRET when it is set, so instances with their own DATA_DIR accept each other's cookies", () => {
    const instance = () => authSettingsFrom({ ...base, DATA_DIR: dataDir(), DASHBOARD_PASSWORD: "open sesame", SESSION_SECRET: "shared-secret-of-enough-length-123" });
    const [a, b] = [instance(), instance()];
    const now = 1_780_000_000_000;
    const { token } = createSession(a.sessionKey!, now, 60_000);
    expect(verifySession(b.sessionKey!, token, now)).not.toBeNull();
  });
});
