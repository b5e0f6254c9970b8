// Deliveries an operator can act on (issue 27 item 8), against a server of its own forwarding to
// a stand-in bot: /deliveries filters "forward failed"; a delivery's page (not JSON) shows each
// target's every attempt (status, answer, time), says which answers are retried, and its Retry says what it
// did; /forwarding's "retry all failed" sends a target's failed deliveries again and says how many.
// In zh-CN and en; the delivery's page also at 390 px. axe clean.
import { readFileSync } from "node:fs";
import { expectAccessible } from "./accessible";
import { expect, test } from "./fixtures";
import { deliverTo, reloadUntil, useRelayApp } from "./relay-app";

type Messages = {
  deliveries: Record<string, string>;
  forwarding: Record<string, string>;
  deliveryDetail: Record<string, string> & { attemptResults: Record<"delivered" | "pending" | "failed", string> };
};
const messages = (file: string): Messages => JSON.parse(readFileSync(new URL(`../messages/${file}`, import.meta.url), "utf8"));
const LANGUAGES = [
  { locale: "zh-CN", m: messages("zh-CN.json"), queuedOne: /^已重新排队：/, queuedTwo: /^已重新排队 2 个回调/ },
  { locale: "en-US", m: messages("en.json"), queuedOne: /^Queued again: /, queuedTwo: /^2 deliveries queued again/ },
];

const relay = useRelayApp("vd_e2e_dact");

test.describe.configure({ mode: "serial" });

const deliver = async () => (await deliverTo(relay)).deliveryId;

const atTheBot = (deliveryId: string) => relay.bot.received.filter((r) => r.deliveryId === deliveryId).length;
const failedFor = async (ids: string[]) =>
  (await relay.db.query(`SELECT 1 FROM forward_outbox WHERE state = 'failed' AND "deliveryId" = ANY ($1::bigint[])`, [ids])).rowCount;

for (const { locale, m, queuedOne, queuedTwo } of LANGUAGES) {
  test(`${locale}: a refused delivery is found with "forward failed", its page shows the bot's answer and the rules, and Retry says what it did`, async ({ browser }) => {
    test.setTimeout(90_000);
    relay.bot.answer(200);
    const delivered = await deliver();
    await expect.poll(() => atTheBot(delivered)).toBe(1);
    relay.bot.answer(400);
    const refused = await deliver();
    await expect.poll(() => failedFor([refused])).toBe(1);

    const context = await browser.newContext({ locale, baseURL: relay.app.url, viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto("/deliveries");
    await page.locator("#d-forward").selectOption("failed");
    await page.getByRole("button", { name: m.deliveries.filter, exact: true }).click();
    await expect(page).toHaveURL(/[?&]forward=failed/);
    await expect(page.locator(`[data-delivery-id="${refused}"]`)).toBeVisible();
    await expect(page.locator(`[data-delivery-id="${delivered}"]`)).toHaveCount(0);
    await expect(page.locator("#d-outcome option[value=quarantined]")).toHaveCount(1);
    await expectAccessible(page);

    // The delivery's page, not JSON.
    await page.locator(`[data-delivery-id="${refused}"]`).getByTestId("delivery-open").click();
    await expect(page).toHaveURL(new RegExp(`/deliveries/${refused}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(m.deliveryDetail.title.replace("{id}", refused));
    const target = page.getByTestId("delivery-target");
    await expect(target).toHaveAttribute("data-state", "failed");
    // Its one attempt: when, what came of it, the bot's status and answer.
    const attempts = target.getByTestId("delivery-attempt");
    await expect(attempts).toHaveCount(1);
    await expect(attempts.first()).toHaveAttribute("data-state", "failed");
    await expect(attempts.first()).toContainText(m.deliveryDetail.attemptResults.failed);
    await expect(attempts.first().getByTestId("delivery-attempt-status")).toHaveText("400");
    await expect(attempts.first().getByTestId("delivery-attempt-answer")).toContainText("stand-in bot answered 400");
    await expect(attempts.first().locator("time")).toHaveCount(1);
    await page.getByTestId("retry-rules").locator("summary").click();
    await expect(page.getByTestId("retry-rules")).toContainText(m.deliveryDetail.rulesRetried);
    await expect(page.getByTestId("retry-rules")).toContainText(m.deliveryDetail.rulesFailed);
    await expect(page.getByTestId("delivery-body")).toContainText('"event"');
    await expectAccessible(page);

    // At 390 px the page fits.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(page);

    // Retry: the page says what happened, then shows it delivered.
    relay.bot.answer(200);
    await target.getByRole("button", { name: new RegExp(`^${m.forwarding.retry}`) }).click();
    await expect(page.getByTestId("retry-result")).toHaveText(queuedOne);
    await expect.poll(() => atTheBot(refused), { timeout: 30_000 }).toBe(2);
    await reloadUntil(page, async () => {
      await expect(page.getByTestId("delivery-target")).toHaveAttribute("data-state", "delivered");
    });
    // Both attempts are listed, newest first: the delivery after Retry, then the refusal.
    await expect(attempts).toHaveCount(2);
    await expect(attempts.nth(0)).toHaveAttribute("data-state", "delivered");
    await expect(attempts.nth(0)).toContainText(m.deliveryDetail.attemptResults.delivered);
    await expect(attempts.nth(0).getByTestId("delivery-attempt-status")).toHaveText("200");
    await expect(attempts.nth(1)).toHaveAttribute("data-state", "failed");
    await expect(attempts.nth(1).getByTestId("delivery-attempt-status")).toHaveText("400");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(page);
    await context.close();
  });

  test(`${locale}: "retry all failed" sends a target's failed deliveries again and says how many`, async ({ browser }) => {
    test.setTimeout(90_000);
    relay.bot.answer(400);
    const refused = [await deliver(), await deliver()];
    await expect.poll(() => failedFor(refused)).toBe(2);

    const context = await browser.newContext({ locale, baseURL: relay.app.url });
    const page = await context.newPage();
    await page.goto("/forwarding");
    await expect(page.getByTestId("retry-rules")).toBeVisible();
    const row = page.getByTestId("forward-target");
    await expect(row.getByTestId("forward-failed")).toHaveText("2");
    // The failures link to the delivery's page, not to JSON.
    await expect(page.getByTestId("forward-failure").first().getByRole("link")).toHaveAttribute("href", /^\/deliveries\/\d+$/);
    await expectAccessible(page);

    relay.bot.answer(200);
    await row.getByRole("button", { name: new RegExp(`^${m.deliveryDetail.retryAll}`) }).click();
    await expect(row.getByTestId("retry-result").filter({ hasText: queuedTwo })).toHaveCount(1);
    await expect.poll(() => refused.map(atTheBot), { timeout: 30_000 }).toEqual([2, 2]);
    await reloadUntil(page, async () => {
      await expect(row.getByTestId("forward-failed")).toHaveText("0");
    });
    await expect(row.getByRole("button", { name: new RegExp(`^${m.deliveryDetail.retryAll}`) })).toHaveCount(0);
    await context.close();
  });
}
