// Pages that say what is happening (issue 27 item 10), in both languages, inside our header: a
// page waiting on a database that then stops, and pages with the database down, say so (not Next's
// generic English error) and how many deliveries are safe in the spool; a page slow to come shows
// a bar and "Loading the page" until it is there; the login page shows no menu and no live
// indicator. The server here reaches its own database through a TCP proxy that the test can make
// hang or refuse (test/support/db-proxy.ts), as a database that stopped.
import { startAppServer, type AppServer } from "../test/support/app-server";
import { databaseBehindProxy, type DatabaseProxy } from "../test/support/db-proxy";
import { createDatabase } from "../test/support/postgres";
import { expectAccessible } from "./accessible";
import { expect, test, uniqueVideo } from "./fixtures";

let app: AppServer;
/** The same database behind a password. */
let locked: AppServer;
const PASSWORD = `pw-${Date.now().toString(36)}`;
let proxy: DatabaseProxy;
let drop: () => Promise<void>;
let videoId = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_status" });
  drop = db.drop;
  proxy = await databaseBehindProxy(db.url);
  [app, locked] = await Promise.all([startAppServer({ DATABASE_URL: proxy.url }), startAppServer({ DATABASE_URL: proxy.url, DASHBOARD_PASSWORD: PASSWORD })]);
  expect((await request.post(`${app.url}/api/callback`, { data: uniqueVideo() })).status()).toBe(200);
  videoId = (await (await request.get(`${app.url}/api/videos`)).json()).items[0].id;
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), locked?.stop()]);
  await proxy?.close();
  await drop?.();
});

const LANGUAGES = [
  { locale: "zh-CN", lang: "zh-CN", menu: "主导航", down: "无法连接数据库", spooled: "暂存区中已安全保存 1 条回调。", retry: "重试", password: "密码", logIn: "登录", loginDown: "无法连接数据库：数据库恢复之前无法登录。", loading: "正在加载页面…", conversations: "会话" },
  { locale: "en-US", lang: "en", menu: "Main", down: "The database cannot be reached", spooled: "1 delivery is safe in the spool.", retry: "Try again", password: "Password", logIn: "Log in", loginDown: "The database cannot be reached: logging in is not possible until it answers again.", loading: "Loading the page…", conversations: "Conversations" },
];

for (const l of LANGUAGES) {
  test.describe(l.locale, () => {
    test.use({ locale: l.locale });

    test("the login page shows no menu and no live indicator; the other pages do; what is not there is still a 404", async ({ page, request }) => {
      // What is not there is a 404 (inside a loading boundary it would stream as a 200: there is none).
      for (const path of ["/no-such-page", "/videos/99999999", "/conversations/S%3Anobody", "/senders/nobody", "/robots/nobody", "/watch/99999999"]) {
        expect((await request.get(`${app.url}${path}`)).status(), path).toBe(404);
      }
      await page.goto(`${app.url}/login`);
      await expect(page.locator("html")).toHaveAttribute("lang", l.lang);
      await expect(page.getByTestId("language-switch")).toBeVisible();
      await expect(page.getByRole("navigation", { name: l.menu })).toHaveCount(0);
      await expect(page.getByTestId("live-indicator")).toHaveCount(0);
      await expectAccessible(page);
      await page.goto(`${app.url}/videos`);
      await expect(page.getByRole("navigation", { name: l.menu })).toBeVisible();
      await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
    });

    test("a page slow to come shows that it is loading, under our header, until it is there", async ({ page }) => {
      test.setTimeout(90_000);
      await page.goto(`${app.url}/videos`);
      await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
      const progress = page.getByTestId("navigation-progress");
      await expect(progress).toHaveAttribute("data-pending", "false");
      try {
        // The database stops answering, on the connections open and on new ones: the next page waits for it.
        proxy.state.mode = "hang";
        proxy.freeze();
        await page.getByRole("navigation", { name: l.menu }).getByRole("link", { name: l.conversations, exact: true }).click();
        await expect(progress).toHaveAttribute("data-pending", "true");
        await expect(progress.getByText(l.loading)).toBeAttached();
        await expect(page).toHaveURL(/\/videos$/);
        await expectAccessible(page);
        // It stops for good: the page that comes says so, and the bar is gone.
        proxy.state.mode = "down";
        proxy.dropConnections();
        await expect(page).toHaveURL(/\/conversations$/);
        await expect(page.getByTestId("error-page")).toHaveAttribute("data-database", "down");
        await expect(progress).toHaveAttribute("data-pending", "false");
      } finally {
        proxy.state.mode = "up";
        proxy.thaw();
      }
      // Back up: a navigation that is quick shows no bar at all.
      await page.goto(`${app.url}/videos`);
      await expect(page.getByTestId("video-card").first()).toBeVisible();
      await page.getByRole("navigation", { name: l.menu }).getByRole("link", { name: l.conversations, exact: true }).click();
      await expect(page).toHaveURL(/\/conversations$/);
      await expect(progress).toHaveAttribute("data-pending", "false");
    });

    test("a page waiting on a database that stops, and pages with the database down, say so, and how many deliveries are safe in the spool", async ({ page, request }) => {
      test.setTimeout(120_000);
      try {
        // A database that accepts connections and never answers: the page waits.
        proxy.state.mode = "hang";
        proxy.dropConnections();
        const waiting = page.goto(`${app.url}/videos`);

        // It stops: the waiting page fails, and says why in our words.
        proxy.state.mode = "down";
        proxy.dropConnections();
        await waiting;
        await expect(page.getByTestId("error-page")).toHaveAttribute("data-database", "down");
        await expect(page.getByRole("heading", { level: 1 })).toHaveText(l.down);

        // Callbacks still come in, to the spool, and the pages count them.
        const res = await request.post(`${app.url}/api/callback`, { data: uniqueVideo() });
        expect(res.status()).toBe(200);
        for (const path of ["/", "/videos", `/videos/${videoId}`, "/conversations", "/senders", "/robots", "/deliveries"]) {
          await page.goto(`${app.url}${path}`);
          await expect(page.getByTestId("error-page"), path).toHaveAttribute("data-database", "down");
          await expect(page.getByRole("heading", { level: 1 }), path).toHaveText(l.down);
          await expect(page.getByTestId("spooled"), path).toHaveText(l.spooled);
          // Our header, not Next's bare error page.
          await expect(page.getByRole("navigation", { name: l.menu }), path).toBeVisible();
          await expect(page.getByText(/Application error|This page couldn.t load/)).toHaveCount(0);
        }
        await expect(page.getByRole("button", { name: l.retry })).toBeVisible();
        await expectAccessible(page);

        // Behind a password, logging in needs the database: the form says so, in the reader's language.
        await page.goto(`${locked.url}/login`);
        await page.getByLabel(l.password).fill(PASSWORD);
        await page.getByRole("button", { name: l.logIn }).click();
        await expect(page.locator("#login-error[role=alert]")).toHaveText(l.loginDown);
      } finally {
        proxy.state.mode = "up";
      }
      // Back up: the spool drains (the next language starts from an empty spool), and the page comes back.
      await expect.poll(async () => (await (await request.get(`${app.url}/api/health`)).json()).spoolDepth, { timeout: 60_000 }).toBe(0);
      await page.goto(`${app.url}/videos`);
      await expect(page.getByTestId("video-card").first()).toBeVisible();
    });
  });
}
