// Robots in both languages: the list, one robot with its instances and hourly charts, the
// overview's strip, page titles, and axe.
import { expectAccessible } from "./accessible";
import { expect, test, uniqueVideo } from "./fixtures";

const LANGUAGES = [
  { locale: "en-US", lang: "en", heading: "Robots", active: "Active", instances: "Instances", title: /^Robots · WeChat video dashboard$/ },
  { locale: "zh-CN", lang: "zh-CN", heading: "机器人", active: "活跃", instances: "实例", title: /^机器人 · 微信视频看板$/ },
];

for (const l of LANGUAGES) {
  test.describe(l.locale, () => {
    test.use({ locale: l.locale });

    test(`robots and their states (${l.locale})`, async ({ page, request }) => {
      test.setTimeout(90_000);
      const robotId = `bot-${Date.now().toString(36)}-${l.lang}`;
      expect((await request.post("/api/callback", { data: uniqueVideo({ robotId, instanceId: "inst-a" }) })).status()).toBe(200);
      expect((await request.post("/api/callback", { data: { event: "30001", data: { robotId, instanceId: "inst-b" } } })).status()).toBe(200);

      const { items } = await (await request.get("/api/robots")).json();
      expect(items.find((r: { robotId: string }) => r.robotId === robotId)).toMatchObject({
        instanceIds: ["inst-a", "inst-b"], state: "active", silentSince: null, lastVideoAt: expect.any(String), lastCallbackAt: expect.any(String),
      });

      await page.goto("/robots");
      await expect(page.locator("html")).toHaveAttribute("lang", l.lang);
      await expect(page).toHaveTitle(l.title);
      await expect(page.getByRole("heading", { level: 1, name: l.heading })).toBeVisible();
      const row = page.getByTestId("robot-row").filter({ hasText: robotId });
      await expect(row.getByTestId("robot-state")).toHaveText(l.active);
      await expectAccessible(page);

      await row.getByRole("link", { name: robotId }).click();
      await expect(page.getByRole("heading", { level: 1, name: robotId })).toBeVisible();
      await expect(page.getByTestId("instance-row")).toHaveCount(2);
      await expect(page.getByRole("heading", { name: l.instances })).toBeVisible();
      await expect(page.getByRole("img")).toHaveCount(2);
      await expectAccessible(page);

      // The overview counts the robots; this one is active, so it is not named there.
      await page.goto("/");
      const strip = page.getByTestId("robot-strip");
      await expect(strip.getByTestId("robot-strip-summary")).toHaveAttribute("data-total", /^[1-9]\d*$/);
      await expect(strip.getByRole("link", { name: robotId })).toHaveCount(0);
      await expectAccessible(page);
    });
  });
}
