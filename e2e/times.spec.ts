// Times against the right clock. The bug this guards against: relative times were computed on the
// server against a clock read once, when the module loaded, so the error grew with the server's
// uptime ("10分钟后" for a video that had just arrived, "29秒钟前" for a robot silent for an hour),
// and the browser kept that text. So the server here has rendered its pages once, then been up for
// a while (70 s: past the one-minute window in which a moment ahead used to be excused) before a
// fresh video arrives and is looked at, in the HTML the server sends and after hydration.
import type { Browser, APIRequestContext } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expect, test, uniqueVideo } from "./fixtures";

const ZONE = "Asia/Shanghai";
const LANGUAGES = [
  // Fresh: "just now", or, on a loaded machine where the page is looked at more than 10 s after the
  // video arrived, "N seconds ago". Never ahead ("in N minutes", "N分钟后"), never minutes old.
  { locale: "zh-CN", fresh: /^(刚刚|\d+秒钟前)$/, minutesAgo: /^\d+分钟前$/ },
  { locale: "en-US", fresh: /^(just now|\d+ seconds? ago)$/, minutesAgo: /^\d+ minutes? ago$/ },
];

let app: AppServer;
let drop: () => Promise<void>;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_times" });
  drop = db.drop;
  app = await startAppServer({ DATABASE_URL: db.url, TZ: ZONE, ROBOT_SILENT_AFTER: "1m" });
});

test.afterAll(async () => {
  await app?.stop();
  await drop?.();
});

/** The text of every `<time>` in the HTML the server sends, tags stripped. */
async function serverTimes(request: APIRequestContext, path: string, locale: string): Promise<string[]> {
  const res = await request.get(`${app.url}${path}`, { headers: { "accept-language": locale } });
  expect(res.status()).toBe(200);
  return [...(await res.text()).matchAll(/<time\b[^>]*>(.*?)<\/time>/g)].map((m) => m[1].replace(/<[^>]+>/g, "").replace(/<!-- -->/g, ""));
}

async function hydrated(browser: Browser, locale: string, path: string) {
  const context = await browser.newContext({ locale, baseURL: app.url });
  const page = await context.newPage();
  await page.goto(path);
  // The live indicator connects from an effect: the page has hydrated.
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
  return { page, close: () => context.close() };
}

test("after the server has been up a while, a fresh video reads 'just now' with its clock time, and a silent robot's last callback agrees with its silence", async ({ browser, request }) => {
  test.setTimeout(240_000);
  const robotId = `bot-times-${Date.now().toString(36)}`;
  expect((await request.post(`${app.url}/api/callback`, { data: { event: "30001", data: { robotId, instanceId: "inst-a" } } })).status()).toBe(200);
  // Every page with times rendered once: whatever clock the code keeps, it has read it by now.
  for (const path of ["/", "/videos", "/robots", `/robots/${robotId}`]) {
    for (const l of LANGUAGES) await serverTimes(request, path, l.locale);
  }

  await new Promise((resolve) => setTimeout(resolve, 70_000));

  const sent = Date.now();
  const video = uniqueVideo({ robotId: `other-${robotId}`, sendTime: sent });
  expect((await request.post(`${app.url}/api/callback`, { data: video })).status()).toBe(200);
  const clock = new Intl.DateTimeFormat("en", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(sent);
  const videos = `/videos?fromWxId=${video.data.fromWxId}`;

  for (const l of LANGUAGES) {
    // In the HTML: the clock time in the dashboard's zone, and "just now".
    const html = await serverTimes(request, videos, l.locale);
    expect(html).toHaveLength(1);
    expect(html[0].split(" · ")[0]).toBe(clock);
    expect(html[0].split(" · ")[1]).toMatch(l.fresh);
    const [lastCallback] = await serverTimes(request, `/robots/${robotId}`, l.locale);
    expect(lastCallback.split(" · ")[1]).toMatch(l.minutesAgo);

    // After hydration, on the browser's clock.
    const list = await hydrated(browser, l.locale, videos);
    await expect(list.page.getByTestId("video-card").locator("time [data-clock]")).toHaveText(clock);
    await expect(list.page.getByTestId("video-card").locator("time [data-relative]")).toHaveText(l.fresh);
    await list.close();
    const robot = await hydrated(browser, l.locale, `/robots/${robotId}`);
    await expect(robot.page.getByTestId("robot-state").first()).toHaveAttribute("data-state", "silent");
    await expect(robot.page.getByTestId("robot-last-callback").locator("[data-relative]")).toHaveText(l.minutesAgo);
    await robot.close();
  }
});
