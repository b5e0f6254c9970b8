// Every page on a 390 px phone, in both languages, with the data that stretches a layout: 500
// robots and the longest ids the callback accepts (128 characters: conversation, sender, instance;
// 64 for a robot), 256-character nicknames, a relay target with a long name. No page may scroll
// sideways (the document no wider than the screen), and each page's actions stay on screen.
// Its own `next start` on its own database (the fleet makes health degraded).
import { createPool, type Pool } from "../lib/db/client";
import type { Browser, Page } from "@playwright/test";
import { startStandInBot, type StandInBot } from "../scripts/demo/bot";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expect, test, uniqueVideo } from "./fixtures";

let app: AppServer;
let bot: StandInBot;
let db: Pool;
let drop: () => Promise<void>;
const ids = { conversation: "", sender: "", robot: "", video: "", delivery: "" };

test.describe.configure({ mode: "serial" });

// An id at the callback's limit (lib/ingest/payload.ts: 128 characters, a robot id 64), with no
// place to break a line.
const longest = (prefix: string, length = 128) => prefix + "x".repeat(length - prefix.length);

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const database = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_phone" });
  drop = database.drop;
  db = createPool(database.url, 1);
  bot = await startStandInBot();
  app = await startAppServer({ DATABASE_URL: database.url, FORWARD_URLS: `上海客服机器人-relay-to-the-customer-bot=${bot.url}/hook/${"t".repeat(80)}` });
  await db.query(
    `INSERT INTO robot_instances ("robotId", "instanceId", "lastCallbackAt")
     SELECT 'wxid_phone' || lpad(i::text, 4, '0') || repeat('P', 50), repeat('i', 120) || lpad(i::text, 8, '0'), now() - CASE WHEN i <= 490 THEN interval '2 hours' ELSE interval '1 minute' END
     FROM generate_series(1, 500) i`,
  );
  ids.conversation = `R:${longest("room")}`.slice(0, 128);
  ids.sender = longest("wxid_");
  ids.robot = longest("wxid_robot", 64);
  for (const [i, messageSource] of [0, 1, 0].entries()) {
    const video = uniqueVideo({
      conversationId: ids.conversation,
      fromWxId: ids.sender,
      toWxId: longest("wxid_to"),
      robotId: ids.robot,
      instanceId: longest("inst"),
      fromNickName: "很长的昵称".repeat(51).slice(0, 256),
      messageSource,
      serverId: `9${i}${"1".repeat(126)}`,
    });
    const res = await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(video) });
    expect(res.status, await res.text()).toBe(200);
  }
  const list = await (await fetch(`${app.url}/api/videos?limit=1`)).json();
  ids.video = String(list.items[0].id);
  const deliveries = await (await fetch(`${app.url}/api/deliveries?limit=1`)).json();
  ids.delivery = String(deliveries.items[0].id);
});

test.afterAll(async () => {
  await app?.stop();
  await bot?.stop();
  await db?.end();
  await drop?.();
});

const PAGES = () => [
  "/",
  "/videos",
  "/videos?view=table",
  `/videos/${ids.video}`,
  "/conversations",
  `/conversations/${encodeURIComponent(ids.conversation)}`,
  "/senders",
  `/senders/${encodeURIComponent(ids.sender)}`,
  "/robots",
  `/robots/${encodeURIComponent(ids.robot)}`,
  "/deliveries",
  "/forwarding",
];

const onPhone = (browser: Browser, locale: string) => browser.newContext({ locale, viewport: { width: 390, height: 844 } });

/** The elements that stick out past the right edge of the screen, for the failure message. */
function overflowing(page: Page) {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > window.innerWidth + 1) {
        // Report the innermost offenders: what is too wide itself, not what holds it.
        if ([...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1)) continue;
        out.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ""}.${[...el.classList].slice(0, 4).join(".")} right=${Math.round(r.right)}`);
      }
    }
    return out.slice(0, 8);
  });
}

for (const locale of ["zh-CN", "en-US"]) {
  test(`every page fits a 390 px phone with the longest ids and 500 robots, no sideways scrolling (${locale})`, async ({ browser }) => {
    test.setTimeout(180_000);
    const context = await onPhone(browser, locale);
    const page = await context.newPage();
    const wide: string[] = [];
    for (const path of PAGES()) {
      const response = await page.goto(`${app.url}${path}`);
      expect(response?.status(), path).toBe(200);
      await expect(page.locator("main")).toBeVisible();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) wide.push(`${path}: ${width} px: ${(await overflowing(page)).join("; ")}`);
    }
    expect(wide).toEqual([]);
    await context.close();
  });
}

test("on a phone, /forwarding's Pause is on screen and tappable, and /videos?view=table rows open their video", async ({ browser }) => {
  const context = await onPhone(browser, "zh-CN");
  const page = await context.newPage();
  await page.goto(`${app.url}/forwarding`);
  const pause = page.getByRole("button", { name: /^暂停/ });
  await expect(pause).toBeInViewport();
  const box = (await pause.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);

  await page.goto(`${app.url}/videos?view=table`);
  const firstRow = page.getByRole("row").nth(1);
  await expect(firstRow.getByRole("link").first()).toBeInViewport();
  await context.close();
});
