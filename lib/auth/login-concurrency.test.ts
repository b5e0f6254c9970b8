// The rate limit under a burst: every attempt is counted before its password is compared, so 300
// wrong passwords sent at once get at most the documented number of comparisons, not 285 of them
// (the count used to be read before and written after each comparison). The comparisons are
// counted for real: the password check (`secretsEqual`) is wrapped and every call to it counted.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { otherInstance, useTestDatabase } from "../../test/support/db";
import { claimAttempt } from "./auth-state";
import { attemptLogin, LOGIN_LIMITS } from "./login";
import { authSettingsFrom } from "./settings";

const compared = vi.hoisted(() => ({ count: 0 }));
vi.mock("./secrets", async (importOriginal) => {
  const real = await importOriginal<typeof import("./secrets")>();
  return {
    ...real,
    secretsEqual: (given: string, expected: string) => {
      compared.count += 1;
      return real.secretsEqual(given, expected);
    },
  };
});

const db = useTestDatabase();
const dataDir = mkdtempSync(join(tmpdir(), "login-burst-"));
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
beforeEach(async () => {
  // Each test its own hour, and no failures left from the one before.
  now += 3_600_000;
  await db.pool.query("TRUNCATE login_failures");
  compared.count = 0;
});

function statuses(results: Awaited<ReturnType<typeof attemptLogin>>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.ok ? "ok" : String(r.status)] = (counts[r.ok ? "ok" : String(r.status)] ?? 0) + 1;
  return counts;
}

describe("a burst of wrong passwords (attempts counted before the comparison)", () => {
  it("300 at once from one address: at most 5 are compared, the rest are 429", async () => {
    // Two instances (two pools on one database), 150 attempts each, all at once.
    const other = otherInstance(db.url, 10);
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => attemptLogin(i % 2 ? other.client : db.client, settings, `guess ${i}`, "10.20.0.1", now)),
      );
      expect(compared.count).toBeLessThanOrEqual(LOGIN_LIMITS.perAddress);
      expect(statuses(results)).toEqual({ 401: compared.count, 429: 300 - compared.count });
      // Exactly the limit: nothing is refused that the limit allows.
      expect(compared.count).toBe(LOGIN_LIMITS.perAddress);
    } finally {
      await other.end();
    }
  });

  it("300 at once from 300 addresses: at most 30 are compared overall", async () => {
    const other = otherInstance(db.url, 10);
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => attemptLogin(i % 2 ? other.client : db.client, settings, `guess ${i}`, `10.21.${i >> 8}.${i & 255}`, now)),
      );
      expect(compared.count).toBeLessThanOrEqual(LOGIN_LIMITS.overall);
      expect(statuses(results)).toEqual({ 401: compared.count, 429: 300 - compared.count });
      expect(compared.count).toBe(LOGIN_LIMITS.overall);
      // The window is full for everyone: even the right password, from a fresh address, waits.
      const before = compared.count;
      expect(await attemptLogin(db.client, settings, "open sesame", "10.22.0.1", now + 1)).toMatchObject({ ok: false, status: 429 });
      expect(compared.count).toBe(before);
    } finally {
      await other.end();
    }
  });

  it("the right password first in a burst of wrong ones from its address: it logs in, and the wrong ones still get at most 5 comparisons", async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attemptLogin(db.client, settings, i === 0 ? "open sesame" : `guess ${i}`, "10.23.0.1", now)),
    );
    // The first attempt was counted first: it is compared, and it opens a session.
    expect(results[0]).toMatchObject({ ok: true });
    const wrong = statuses(results.slice(1));
    expect(wrong[401]).toBeLessThanOrEqual(LOGIN_LIMITS.perAddress);
    expect(compared.count).toBe(wrong[401] + 1);
    // What stays counted is the wrong ones: the login's own attempt is taken back.
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM login_failures WHERE key = '*'`);
    expect(rows[0].n).toBe(wrong[401]);
  });

  it("across instances too: 300 claims at once on two pools, without the process's queue, count exactly the limit (the database lock does)", async () => {
    const instances = [otherInstance(db.url, 10), otherInstance(db.url, 10)];
    try {
      // Every connection open first, so that the claims overlap instead of waiting to connect.
      await Promise.all(instances.flatMap((p) => Array.from({ length: 10 }, () => p.pool.query("SELECT pg_sleep(0.05)"))));
      const claims = await Promise.all(
        Array.from({ length: 300 }, (_, i) => claimAttempt(instances[i % 2].client, [{ key: "10.24.0.1", limit: 5 }, { key: "*", limit: 30 }], now, 60_000)),
      );
      expect(claims.filter((c) => c.counted)).toHaveLength(5);
      const { rows } = await db.pool.query(`SELECT key, count(*)::int AS n FROM login_failures GROUP BY key ORDER BY key`);
      expect(rows).toEqual([{ key: "*", n: 5 }, { key: "10.24.0.1", n: 5 }]);
    } finally {
      await Promise.all(instances.map((p) => p.end()));
    }
  });
});
