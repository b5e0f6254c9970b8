// The relay as an operator runs it: /forwarding shows a target's backlog and last error, a
// delivery the bot refused is retried from its button and delivered once the bot answers 2xx,
// and a paused target keeps its deliveries pending until it is resumed. Its own `next start`
// forwards to a stand-in bot on a local port (scripts/demo/bot.ts), on its own database, and to a
// second stand-in that is never paused nor refuses: the control that shows the relay did run
// when the paused bot receives nothing (rather than a fixed wait).
import { createPool, type Pool } from "../lib/db/client";
import type { Locator, Page } from "@playwright/test";
import { startStandInBot, type StandInBot } from "../scripts/demo/bot";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expectAccessible } from "./accessible";
import { expect, test, uniqueVideo } from "./fixtures";

let app: AppServer;
let bot: StandInBot;
let control: StandInBot;
let db: Pool;
let drop: () => Promise<void>;

test.describe.configure({ mode: "serial" });
test.use({ locale: "en-US" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const database = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_fwd" });
  drop = database.drop;
  db = createPool(database.url, 1);
  bot = await startStandInBot();
  control = await startStandInBot();
  app = await startAppServer({ DATABASE_URL: database.url, FORWARD_URLS: `${bot.url},${control.url}` });
});

test.afterAll(async () => {
  await app?.stop();
  await bot?.stop();
  await control?.stop();
  await db?.end();
  await drop?.();
});

/** Posts one callback as the provider would; returns the id of the delivery it recorded. */
async function deliver(): Promise<{ deliveryId: string; serverId: string }> {
  const video = uniqueVideo();
  const res = await fetch(`${app.url}/api/callback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(video) });
  expect(res.status).toBe(200);
  // Callbacks are posted one at a time here: the newest delivery is this one.
  const { rows } = await db.query<{ id: string }>(`SELECT max(id)::text AS id FROM deliveries`);
  return { deliveryId: rows[0].id, serverId: video.data.serverId as string };
}

const atTheBot = (deliveryId: string, at = bot) => at.received.filter((r) => r.deliveryId === deliveryId);

/** What an operator does to see a change the page was not told about: reload until it shows. */
async function reloadUntil(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 30_000 });
}

const targetRow = (page: Page) => page.getByTestId("forward-target").filter({ hasText: new URL(bot.url).host });
/** The bot's state in a delivery's row on /deliveries (the row lists every target). */
const botState = (row: Locator) => row.locator(`[data-testid="forward-state"][title*="${new URL(bot.url).host}"]`);

test("a delivery the bot refuses (400) is failed, shown with the bot's answer, and delivered after Retry once the bot accepts it", async ({ page, browser }) => {
  test.setTimeout(90_000);
  bot.answer(400);
  const { deliveryId } = await deliver();
  await expect.poll(() => atTheBot(deliveryId).length).toBe(1);

  await page.goto(`${app.url}/forwarding`);
  await expect(page).toHaveTitle(/^Forwarding · /);
  await expect(page.getByRole("heading", { level: 1, name: "Forwarding" })).toBeVisible();
  // A 400 is failed at once, never retried: nothing waits, one failure, the bot's own words as the last error.
  await reloadUntil(page, async () => {
    await expect(targetRow(page).getByTestId("forward-failed")).toHaveText("1");
  });
  await expect(targetRow(page).getByTestId("forward-target-state")).toHaveText("Forwarding");
  await expect(targetRow(page).getByTestId("forward-backlog")).toHaveText("0");
  await expect(targetRow(page).getByTestId("forward-last-error")).toContainText("400 stand-in bot answered 400");
  await expect(targetRow(page)).toContainText("0% of 1 attempt");
  const failure = page.getByTestId("forward-failure").filter({ has: page.getByRole("link", { name: deliveryId, exact: true }) });
  await expect(failure).toContainText("400");
  await expect(failure).toContainText("stand-in bot answered 400");
  await expectAccessible(page);

  // The same page in Chinese, as a browser asking for it (Accept-Language) gets it.
  const zh = await browser.newContext({ locale: "zh-CN" });
  try {
    const zhPage = await zh.newPage();
    await zhPage.goto(`${app.url}/forwarding`);
    await expect(zhPage.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(zhPage).toHaveTitle(/^转发 · 微信视频看板$/);
    await expect(zhPage.getByRole("heading", { level: 1, name: "转发" })).toBeVisible();
    await expect(zhPage.getByRole("columnheader", { name: "积压" })).toBeVisible();
    await expect(targetRow(zhPage).getByTestId("forward-target-state")).toHaveText("转发中");
    await expect(targetRow(zhPage)).toContainText("0%（共 1 次尝试）");
    await expect(zhPage.getByRole("heading", { level: 2, name: "转发失败的回调" })).toBeVisible();
    await expect(zhPage.getByTestId("forward-failure").filter({ hasText: deliveryId }).getByRole("button", { name: /^重试/ })).toBeVisible();
    await expect(targetRow(zhPage).getByRole("button", { name: /^暂停/ })).toBeVisible();
    await zhPage.goto(`${app.url}/deliveries`);
    await expect(botState(zhPage.locator(`[data-delivery-id="${deliveryId}"]`))).toContainText("失败");
  } finally {
    await zh.close();
  }

  bot.answer(200);
  await failure.getByRole("button", { name: /^Retry/ }).click();
  // The page refreshes after the click: the delivery is no longer failed (pending, then delivered).
  await expect(failure).toHaveCount(0);
  await expect.poll(() => atTheBot(deliveryId).length, { timeout: 30_000 }).toBe(2);
  // The redelivery is the same delivery: same X-Delivery-Id, same bytes.
  expect(atTheBot(deliveryId)[1].body.equals(atTheBot(deliveryId)[0].body)).toBe(true);

  await page.goto(`${app.url}/deliveries`);
  const row = page.locator(`[data-delivery-id="${deliveryId}"]`);
  await reloadUntil(page, async () => {
    await expect(botState(row)).toHaveAttribute("data-state", "delivered");
  });
  await expect(botState(row)).toContainText(/Delivered.*200 in \d+ ms/);
  await page.goto(`${app.url}/forwarding`);
  await expect(targetRow(page).getByTestId("forward-failed")).toHaveText("0");
  await expect(targetRow(page)).toContainText("50% of 2 attempts");
});

test("a delivery made while the target is paused stays pending, and is delivered after Resume", async ({ page }) => {
  test.setTimeout(90_000);
  bot.answer(200);
  await page.goto(`${app.url}/forwarding`);
  await targetRow(page).getByRole("button", { name: /^Pause/ }).click();
  await expect(targetRow(page).getByTestId("forward-target-state")).toHaveText("Paused");
  await expect(targetRow(page).getByRole("button", { name: /^Resume/ })).toBeVisible();

  const { deliveryId } = await deliver();
  // The control target got this very delivery: the relay ran, and left the paused one alone.
  await expect.poll(() => atTheBot(deliveryId, control).length, { timeout: 30_000 }).toBe(1);
  await reloadUntil(page, async () => {
    await expect(targetRow(page).getByTestId("forward-backlog")).toHaveText("1");
  });
  await page.goto(`${app.url}/deliveries`);
  const row = page.locator(`[data-delivery-id="${deliveryId}"]`);
  await expect(botState(row)).toHaveAttribute("data-state", "pending");
  await expect(botState(row)).toHaveText(/^Pending /);
  expect(atTheBot(deliveryId)).toHaveLength(0);

  await page.goto(`${app.url}/forwarding`);
  await targetRow(page).getByRole("button", { name: /^Resume/ }).click();
  await expect(targetRow(page).getByTestId("forward-target-state")).toHaveText("Forwarding");
  await expect.poll(() => atTheBot(deliveryId).length, { timeout: 30_000 }).toBe(1);
  await reloadUntil(page, async () => {
    await expect(targetRow(page).getByTestId("forward-backlog")).toHaveText("0");
  });
  await page.goto(`${app.url}/deliveries`);
  await reloadUntil(page, async () => {
    await expect(botState(row)).toHaveAttribute("data-state", "delivered");
  });
});
