// Two `next start` processes on one database, as behind a load balancer: a logout on one is
// honoured by the other, and failed logins are counted together (N instances do not allow N
// times the guesses).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";

describe("login state shared by two instances", () => {
  const db = useTestDatabase();
  let a: AppServer;
  let b: AppServer;
  beforeAll(async () => {
    const env = { DATABASE_URL: db.url, DASHBOARD_PASSWORD: "two-instances", SESSION_SECRET: "one-secret-for-both-instances" };
    [a, b] = await Promise.all([startAppServer(env), startAppServer(env)]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const login = (app: AppServer, password: string) =>
    fetch(`${app.url}/api/login`, { method: "POST", headers: { origin: app.url, "content-type": "application/json" }, body: JSON.stringify({ password }) });

  it("a logout on one instance ends the session on the other", async () => {
    const res = await login(a, "two-instances");
    const cookie = /vd_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
    expect((await fetch(`${b.url}/api/videos`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${a.url}/api/logout`, { method: "POST", headers: { cookie, origin: a.url } })).status).toBe(200);
    expect((await fetch(`${b.url}/api/videos`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${b.url}/videos`, { headers: { cookie }, redirect: "manual" })).status).toBe(307);
  });

  it("counts failed logins across both", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(i % 2 ? b : a, "guess")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect((await login(a, "two-instances")).status).toBe(429);
    expect((await login(b, "two-instances")).status).toBe(429);
  });
});
