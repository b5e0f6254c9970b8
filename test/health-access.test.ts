// /api/health tells anyone the status words and the spool's depth; the error texts (the
// database's address among them) only a session or the API token. Real next start, with a
// DATABASE_URL nobody listens on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../lib/db/embedded";
import { startAppServer, type AppServer } from "./support/app-server";

describe("health with the database down", () => {
  let app: AppServer;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    app = await startAppServer({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/gone`, DASHBOARD_PASSWORD: "health-password", API_TOKEN: "health-token" });
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

  it("shows the error text to the API token and to a session", async () => {
    const login = await fetch(`${app.url}/api/login`, { method: "POST", headers: { origin: app.url, "content-type": "application/json" }, body: JSON.stringify({ password: "health-password" }) });
    const cookie = /vd_session=[^;]+/.exec(login.headers.get("set-cookie") ?? "")![0];
    for (const headers of [{ authorization: "Bearer health-token" }, { cookie }] as Record<string, string>[]) {
      const body = await (await fetch(`${app.url}/api/health`, { headers })).json();
      expect(body.database, JSON.stringify(headers)).toMatch(new RegExp(`unreachable: .*(ECONNREFUSED|${port})`));
    }
  });
});
