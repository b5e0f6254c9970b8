// Two `next start` processes on one database, as behind a load balancer: a logout on one is
// honoured by the other (also by a live stream already open there), and failed logins are counted
// together (N instances do not allow N times the guesses).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";
import { exampleVideo } from "./support/example-video";

/** A GET /api/stream read as it arrives: `until` waits for what has been received so far to match. */
async function openStream(url: string, cookie: string) {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/stream`, { headers: { cookie, accept: "text/event-stream" }, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let ended: number | null = null;
  let waiters: (() => void)[] = [];
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        waiters.forEach((w) => w());
      }
    } catch {}
    ended = Date.now();
    waiters.forEach((w) => w());
  })();
  /** Resolves once `test(text, ended)` holds; rejects after `ms`, saying what was received. */
  const until = (what: string, test: (text: string, ended: number | null) => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!test(text, ended)) return;
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms; received:\n${text.slice(-2000)}`)), ms);
      waiters.push(check);
      check();
    });
  return { until, endedAt: () => ended, close: () => abort.abort() };
}

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

  it("a logout on one instance ends a live stream open on the other within 30 s; another session's stream stays open and live", async () => {
    const cookieOf = async (res: Response) => /vd_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
    const ending = await cookieOf(await login(a, "two-instances"));
    const staying = await cookieOf(await login(a, "two-instances"));
    const [leaving, control] = await Promise.all([openStream(b.url, ending), openStream(b.url, staying)]);
    try {
      await Promise.all([leaving.until("ready", (t) => t.includes("event: ready"), 30_000), control.until("ready", (t) => t.includes("event: ready"), 30_000)]);
      expect((await fetch(`${a.url}/api/logout`, { method: "POST", headers: { cookie: ending, origin: a.url } })).status).toBe(200);
      const loggedOut = Date.now();
      // The server closes it (the read ends) and says why first; waited for, not slept on.
      await leaving.until("the logged-out stream's end", (_, ended) => ended !== null, 30_000);
      expect(leaving.endedAt()! - loggedOut).toBeLessThan(30_000);
      console.log(`stream closed ${leaving.endedAt()! - loggedOut} ms after the logout on the other instance`);
      await leaving.until("the ended event", (t) => t.includes("event: ended"), 0);
      // The control: still open, and still live (a video stored on the other instance arrives).
      expect(control.endedAt()).toBeNull();
      const video = exampleVideo();
      expect((await fetch(`${a.url}/api/callback`, { method: "POST", body: JSON.stringify(video) })).status).toBe(200);
      await control.until("the video on the control stream", (t) => t.includes(`"serverId":"${video.data.serverId}"`), 30_000);
      expect(control.endedAt()).toBeNull();
    } finally {
      leaving.close();
      control.close();
    }
  }, 90_000);

  it("counts failed logins across both", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(i % 2 ? b : a, "guess")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect((await login(a, "two-instances")).status).toBe(429);
    expect((await login(b, "two-instances")).status).toBe(429);
  });
});
