// /api/health tells anyone the status words and the spool's depth; the error texts (the
// database's address among them) only a session or the API token. Real next start, with a
// DATABASE_URL nobody listens on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, deriveSessionKey } from "../lib/auth/session";
import { freePort } from "../lib/db/embedded";
import { startAppServer, type AppServer } from "./support/app-server";

const SECRET = "health-session-secret-0123456789";

describe("health with the database down", () => {
  let app: AppServer;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    app = await startAppServer({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/gone`, DASHBOARD_PASSWORD: "health-password", API_TOKEN: "health-token", SESSION_SECRET: SECRET });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("shows anonymous callers the status words only", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }, { cookie: "vd_session=1.2.3" }] as Record<string, string>[]) {
      const res = await fetch(`${app.url}/api/health`, { headers });
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ status: "degraded", database: "unreachable", spoolDepth: expect.any(Number), spool: "ok" });
      expect(text).not.toContain(String(port));
      expect(text).not.toMatch(/ECONNREFUSED/);
    }
  });

  it("shows the error text to the API token; a session cannot be checked against logouts while the database is down", async () => {
    const body = await (await fetch(`${app.url}/api/health`, { headers: { authorization: "Bearer health-token" } })).json();
    expect(body.database).toMatch(new RegExp(`unreachable: .*(ECONNREFUSED|${port})`));
    // A validly signed session: whether it was logged out is in the database, so it is not trusted now.
    const { token } = createSession(deriveSessionKey("health-password", SECRET), Date.now(), 3_600_000);
    const withSession = await (await fetch(`${app.url}/api/health`, { headers: { cookie: `vd_session=${token}` } })).json();
    expect(withSession.database).toBe("unreachable");
  });
});
