// The dashboard with DASHBOARD_PASSWORD and API_TOKEN set: nothing without credentials, a
// login that works in the browser, security headers everywhere, secrets kept out of logs.
// Serial: the login rate limit counts every failure from this machine, so its test runs last.
import { createPool } from "../lib/db/client";
import { randomBytes } from "node:crypto";
import http from "node:http";
import { expect, test, uniqueVideo } from "./fixtures";
import { createDatabase } from "../test/support/postgres";
import { startAppServer, type AppServer } from "../test/support/app-server";

const PASSWORD = `pw-${randomBytes(6).toString("hex")}`;
const API_TOKEN = `api-${randomBytes(12).toString("hex")}`;
const CALLBACK_TOKEN = `cb-${randomBytes(12).toString("hex")}`;

let server: AppServer;
let dropDatabase: () => Promise<void>;
let databaseUrl: string;
const url = (path: string) => `${server.url}${path}`;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_auth" });
  dropDatabase = db.drop;
  databaseUrl = db.url;
  server = await startAppServer({ DATABASE_URL: db.url, DASHBOARD_PASSWORD: PASSWORD, API_TOKEN, CALLBACK_TOKEN, CALLBACK_MAX_BYTES: "4096", LOG_LEVEL: "debug" });
});

test.afterAll(async () => {
  await server?.stop();
  await dropDatabase?.();
});

async function loginCookie(): Promise<string> {
  // A state-changing request shows it comes from this origin (browsers send Sec-Fetch-Site).
  const res = await fetch(url("/api/login"), { method: "POST", headers: { "content-type": "application/json", origin: server.url }, body: JSON.stringify({ password: PASSWORD }) });
  expect(res.status).toBe(200);
  const cookie = /vd_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  expect(cookie).toBeTruthy();
  return cookie!;
}

const PAGES = ["/", "/videos", "/videos/1", "/conversations", "/senders", "/deliveries", "/does-not-exist"];
const APIS = ["/api/videos", "/api/videos/1?includeSecrets=1", "/api/stream", "/api/media/1/video", "/api/media/1/preview", "/api/export?format=csv", "/api/conversations", "/api/senders", "/api/deliveries", "/api/metrics"];

test("nothing can be had without credentials: pages go to /login, the API answers 401", async () => {
  for (const path of PAGES) {
    const res = await fetch(url(path), { redirect: "manual" });
    expect(res.status, path).toBe(307);
    expect(res.headers.get("location"), path).toBe(`/login?next=${encodeURIComponent(path)}`);
  }
  const cookie = await loginCookie();
  const [expires, id, mac] = cookie.split(".");
  const tampered = [`${Number(expires) + 86_400_000}.${id}.${mac}`, `${expires}.${id}.${mac.slice(0, -2)}AA`, "1.2.3", `${cookie}x`];
  for (const path of APIS) {
    const variants: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token" }, { authorization: `Bearer ${API_TOKEN}x` }, ...tampered.map((t) => ({ cookie: `vd_session=${t}` }))];
    for (const headers of variants) {
      const res = await fetch(url(path), { headers });
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      expect((await res.json()).error).toMatch(/token|log in/);
    }
  }
  // With credentials the same answers come through.
  expect((await fetch(url("/api/videos"), { headers: { authorization: `Bearer ${API_TOKEN}` } })).status).toBe(200);
  expect((await fetch(url("/api/videos"), { headers: { cookie: `vd_session=${cookie}` } })).status).toBe(200);
  expect((await fetch(url("/"), { headers: { cookie: `vd_session=${cookie}` }, redirect: "manual" })).status).toBe(200);
  // Another site cannot post to login (or burn this visitor's attempts), nor change anything with the cookie.
  const forged = await fetch(url("/api/login"), { method: "POST", headers: { origin: "http://evil.example", "content-type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) });
  expect(forged.status).toBe(403);
  expect(forged.headers.get("set-cookie")).toBeNull();
  // The public ones need nothing.
  expect((await fetch(url("/api/health"))).status).toBe(200);
  expect((await fetch(url("/login"))).status).toBe(200);
});

test("log in and out in the browser; the cookie is HttpOnly, SameSite=Lax and expiring", async ({ page, context }) => {
  await page.goto(url("/"));
  await expect(page).toHaveURL(url("/login?next=%2F"));
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("#login-error[role=alert]")).toHaveText("Wrong password.");
  // The error came from fetch, in place: the page's scripts run under the CSP.
  await expect(page).toHaveURL(url("/login?next=%2F"));

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(url("/"));
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const [cookie] = (await context.cookies()).filter((c) => c.name === "vd_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false, path: "/" });
  expect(cookie.expires * 1000).toBeGreaterThan(Date.now() + 3_600_000);
  const copied = cookie.value;

  await page.goto(url("/login"));
  await expect(page.getByText("You are signed in.")).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(url("/login"));
  await expect(page.getByLabel("Password")).toBeVisible();
  await page.goto(url("/"));
  await expect(page).toHaveURL(url("/login?next=%2F"));
  // A copy of the cookie taken before logging out is worth nothing afterwards.
  expect((await fetch(url("/api/videos"), { headers: { cookie: `vd_session=${copied}` } })).status).toBe(401);
});

test("the login form works without JavaScript and never redirects off-site", async ({ browser }) => {
  test.setTimeout(180_000);
  for (const javaScriptEnabled of [false, true]) {
    for (const next of ["//evil.example/", "/.//evil.example/phish", "/\\evil.example", "/%2F%2Fevil.example", "https://evil.example/"]) {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(url(`/login?next=${encodeURIComponent(next)}`));
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page, `${next} (JavaScript ${javaScriptEnabled})`).toHaveURL(url("/"));
      await context.close();
    }
  }
});

test("security headers on pages, API answers, errors and static files; the CSP breaks nothing", async ({ page }) => {
  const cookie = await loginCookie();
  const login = await fetch(url("/login"));
  const html = await login.text();
  const csp = login.headers.get("content-security-policy")!;
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+';/);
  expect(csp).toContain("frame-ancestors 'none'");
  // Next put the nonce on its own scripts.
  expect(html).toContain(`nonce="${nonce}"`);
  const script = /<script[^>]+src="(\/_next\/static\/[^"]+)"/.exec(html)?.[1];

  const answers = {
    page: await fetch(url("/"), { headers: { cookie: `vd_session=${cookie}` } }),
    api: await fetch(url("/api/videos"), { headers: { authorization: `Bearer ${API_TOKEN}` } }),
    denied: await fetch(url("/api/videos")),
    health: await fetch(url("/api/health")),
    asset: await fetch(url(script!)),
  };
  for (const [what, res] of Object.entries(answers)) {
    expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
    expect(res.headers.get("content-security-policy"), what).toContain("frame-ancestors 'none'");
  }
  expect(answers.api.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);

  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.context().addCookies([{ name: "vd_session", value: cookie, url: server.url }]);
  for (const path of ["/", "/login"]) {
    await page.goto(url(path));
    await page.waitForLoadState("networkidle");
  }
  expect(violations).toEqual([]);
});

test("the callback token never reaches the logs, the database or the API", async () => {
  const video = uniqueVideo();
  const post = (query: string, body: string) => fetch(url(`/api/callback${query}`), { method: "POST", body });
  expect((await post(`?token=${CALLBACK_TOKEN}`, JSON.stringify(video))).status).toBe(200);
  expect((await post(`?token=${CALLBACK_TOKEN}`, "not json")).status).toBe(400);
  expect((await post(`?token=${CALLBACK_TOKEN}`, "x".repeat(5000))).status).toBe(413);
  expect((await post(`?token=${CALLBACK_TOKEN}&extra=1`, JSON.stringify({ ...video, event: "20001" }))).status).toBe(200);
  expect((await post("?token=wrong", JSON.stringify(video))).status).toBe(401);
  expect((await post("", JSON.stringify(video))).status).toBe(401);

  const pool = createPool(databaseUrl, 1);
  try {
    const { rows } = await pool.query(`SELECT row_to_json(d)::text AS row FROM deliveries d UNION ALL SELECT row_to_json(v)::text FROM video_events v`);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const { row } of rows) expect(row).not.toContain(CALLBACK_TOKEN);
  } finally {
    await pool.end();
  }
  const res = await fetch(url("/api/videos?limit=5"), { headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(JSON.stringify(await res.json())).not.toContain(CALLBACK_TOKEN);
  expect(server.output()).not.toContain(CALLBACK_TOKEN);
});

test("hostile parameters through the real server get 4xx, never 5xx", async () => {
  const auth = { authorization: `Bearer ${API_TOKEN}` };
  const cases = ["q=%00", "fromWxId=a%00b", "q=" + "a".repeat(5000), "cursor=!!!", "limit=-1", "limit=abc", "from=-271821-04-20", "to=2024-13-45"];
  for (const query of cases) {
    const res = await fetch(url(`/api/videos?${query}`), { headers: auth });
    expect(res.status, query).toBe(400);
    expect((await res.json()).error, query).toBeTruthy();
  }
  // Injection is only text to search for; a repeated parameter counts once.
  for (const query of ["q=%27%20OR%201%3D1%20--", "fromWxId=x%27%3B%20DROP%20TABLE%20video_events%3B%20--", "limit=1&limit=-5"]) {
    const res = await fetch(url(`/api/videos?${query}`), { headers: auth });
    expect(res.status, query).toBe(200);
    expect((await res.json()).items.length, query).toBeLessThanOrEqual(1);
  }
  expect((await fetch(url(`/api/videos?q=${"a".repeat(20000)}`), { headers: auth })).status).toBeLessThan(500);
  expect((await fetch(url("/api/videos/%00"), { headers: auth })).status).toBe(400);
  expect((await fetch(url("/api/videos/99999999999999999999999"), { headers: auth })).status).toBe(404);
});

test("login is rate-limited per client: 429 with Retry-After, which a forged X-Forwarded-For does not escape", async ({ page }) => {
  const attempt = (password: string, i: number) =>
    fetch(url("/api/login"), { method: "POST", headers: { "content-type": "application/json", origin: server.url, "x-forwarded-for": `203.0.113.${i}` }, body: JSON.stringify({ password }) });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await attempt("guess", i)).status);
  expect(statuses).toEqual([401, 401, 401, 401, 401]);
  const limited = await attempt(PASSWORD, 99);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  expect((await limited.json()).error).toMatch(/too many failed logins/);

  await page.goto(url("/login"));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("#login-error[role=alert]")).toContainText("Too many failed logins");
  // The operator sees the failures in the log, never the passwords or tokens.
  expect(server.output()).toContain("login refused: rate limit");
  for (const secret of [PASSWORD, API_TOKEN, CALLBACK_TOKEN]) expect(server.output()).not.toContain(secret);
});

test("without a password the dashboard answers only to loopback names (no tunnel, no DNS rebinding)", async () => {
  // The shared test server runs without DASHBOARD_PASSWORD.
  const base = new URL(process.env.E2E_BASE_URL!);
  const status = (path: string, host: string, method = "GET") =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: base.hostname, port: base.port, path, method, headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(method === "POST" ? JSON.stringify(uniqueVideo()) : undefined);
    });
  expect(await status("/", `localhost:${base.port}`)).toBe(200);
  expect(await status("/api/videos", `127.0.0.1:${base.port}`)).toBe(200);
  expect(await status("/", `rebind.evil.example:${base.port}`)).toBe(403);
  expect(await status("/api/videos", "abc.ngrok.app")).toBe(403);
  expect(await status("/api/callback", "abc.ngrok.app", "POST")).toBe(200);
  // (That the socket's address decides, whatever Host says, is test/loopback.test.ts.)
});
