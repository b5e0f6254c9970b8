// The operator's morning, in both languages: deleting a video (and live pages dropping it), the
// language switch, one time zone for server and browser, the icon and a title on every page.
import type { ConsoleMessage, Page } from "@playwright/test";
import { expectAccessible } from "./accessible";
import { encodeTimeIdCursor } from "../lib/shared/paging";
import { expect, sameOrigin, test, uniqueVideo } from "./fixtures";

const LANGUAGES = [
  { locale: "en-US", lang: "en", delete: "Delete", confirm: "Delete video", videosTitle: /^Videos · WeChat video dashboard$/, zone: /Times shown in /, notFound: "Page not found", home: "Back to the overview", videoDeleted: /^Video deleted / },
  { locale: "zh-CN", lang: "zh-CN", delete: "删除", confirm: "删除视频", videosTitle: /^视频 · 微信视频看板$/, zone: /时间按 .* 时区显示/, notFound: "页面不存在", home: "返回概览", videoDeleted: /^视频已删除 / },
];

// The test videos' CDN links lead nowhere: their media answer 502, which the page explains.
const MEDIA = /\/api\/media\//;

/** Console errors and failed requests (media aside) while `run` goes on. */
async function problems(page: Page, run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onConsole = (m: ConsoleMessage) => m.type() === "error" && !MEDIA.test(m.location().url) && seen.push(m.text());
  page.on("console", onConsole);
  page.on("response", (r) => r.status() >= 400 && !MEDIA.test(r.url()) && seen.push(`${r.status()} ${r.url()}`));
  await run();
  page.off("console", onConsole);
  return seen;
}

for (const l of LANGUAGES) {
  test.describe(l.locale, () => {
    test.use({ locale: l.locale, timezoneId: "America/Los_Angeles" });

    test(`deleting a video from its page, confirmed, drops it from an open list (${l.locale})`, async ({ page, context, request, db }) => {
      test.setTimeout(90_000);
      const video = uniqueVideo();
      expect((await request.post("/api/callback", { data: video })).status()).toBe(200);
      const { items } = await (await request.get(`/api/videos?fromWxId=${video.data.fromWxId}`)).json();
      const id = items[0].id as string;
      const { rows: [delivery] } = await db.query(`SELECT id::text, "receivedAt" FROM deliveries WHERE "videoEventId" = $1::bigint`, [id]);

      const list = await context.newPage();
      await list.goto(`/videos?fromWxId=${video.data.fromWxId}`);
      await expect(list.getByTestId("video-card")).toHaveCount(1);
      await expect(list.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");

      await page.goto(`/videos/${id}`);
      await expect(page.locator("html")).toHaveAttribute("lang", l.lang);
      await page.getByRole("button", { name: l.delete, exact: true }).click();
      const dialog = page.getByRole("dialog");
      await expect(dialog).toBeVisible();
      await expectAccessible(page);
      await dialog.getByRole("button", { name: l.confirm }).click();
      await expect(page).toHaveURL(/\/videos$/);
      await expect(page).toHaveTitle(l.videosTitle);

      await expect(list.getByTestId("video-card")).toHaveCount(0);
      expect((await request.get(`/api/videos/${id}`)).status()).toBe(404);
      const { rows } = await db.query(`SELECT body, "deletedAt" IS NOT NULL AS deleted FROM deliveries WHERE "deletedAt" IS NOT NULL AND id IN (SELECT id FROM deliveries ORDER BY id DESC LIMIT 200)`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.body === null)).toBe(true);

      // Its delivery stays in the log, saying that its video was deleted: the row just after a
      // cursor one past it is that delivery, whatever other tests post meanwhile.
      const cursor = encodeTimeIdCursor({ time: delivery.receivedAt, id: String(BigInt(delivery.id) + 1n) });
      await page.goto(`/deliveries?cursor=${cursor}&limit=1`);
      const row = page.getByTestId("delivery-row");
      await expect(row).toHaveAttribute("data-delivery-id", delivery.id);
      await expect(row.getByTestId("delivery-deleted")).toHaveText(l.videoDeleted);
    });

    test(`forgetting a sender deletes all their videos and says how many (${l.locale})`, async ({ request, baseURL }) => {
      const first = uniqueVideo();
      const fromWxId = first.data.fromWxId as string;
      for (const v of [first, uniqueVideo({ fromWxId }), uniqueVideo({ fromWxId })]) expect((await request.post("/api/callback", { data: v })).status()).toBe(200);
      const res = await request.delete(`/api/senders/${encodeURIComponent(fromWxId)}/videos`, { headers: sameOrigin(baseURL) });
      expect(await res.json()).toEqual({ deleted: 3 });
      expect((await (await request.get(`/api/videos?fromWxId=${fromWxId}`)).json()).items).toEqual([]);
      expect((await request.delete("/api/videos/999999999999", { headers: sameOrigin(baseURL) })).status()).toBe(404);
    });

    test(`an address that leads nowhere, or to a deleted video, says so in the reader's language (${l.locale})`, async ({ page }) => {
      for (const path of ["/no-such-page", "/videos/999999999999", "/senders/wxid_nobody_at_all"]) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(404);
        await expect(page.locator("html")).toHaveAttribute("lang", l.lang);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText(l.notFound);
        // A video's or sender's page keeps its own title (what was asked for); an unknown address says it.
        if (path === "/no-such-page") await expect(page).toHaveTitle(new RegExp(`^${l.notFound} · `));
        await expect(page.getByTestId("footer")).toHaveText(l.zone);
      }
      await expectAccessible(page);
      await page.getByRole("link", { name: l.home }).click();
      await expect(page).toHaveURL(/\/$/);
    });

    test(`every page has the icon, a title of its own, the zone in the footer, and no console error (${l.locale})`, async ({ page, request }) => {
      test.setTimeout(120_000);
      const video = uniqueVideo();
      expect((await request.post("/api/callback", { data: video })).status()).toBe(200);
      const { items } = await (await request.get(`/api/videos?fromWxId=${video.data.fromWxId}`)).json();
      const paths = ["/", "/videos", `/videos/${items[0].id}`, "/conversations", `/conversations/${encodeURIComponent(video.data.conversationId as string)}`, "/senders", `/senders/${video.data.fromWxId}`, "/robots", `/robots/${video.data.robotId}`, "/deliveries", "/forwarding", "/login"];
      const titles = new Set<string>();
      const seen = await problems(page, async () => {
        for (const path of paths) {
          await page.goto(path);
          await expect(page.locator("html")).toHaveAttribute("lang", l.lang);
          await expect(page.getByTestId("footer")).toHaveText(l.zone);
          titles.add(await page.title());
        }
      });
      // The browser runs in Los Angeles, the server elsewhere: a time formatted differently on each
      // side would be a hydration error in the console.
      expect(seen).toEqual([]);
      expect(titles.size).toBe(paths.length);
      const icon = await request.get("/favicon.ico");
      expect(icon.status()).toBe(200);
      expect(icon.headers()["content-type"]).toMatch(/image\//);
    });
  });
}

test.describe("one time zone", () => {
  test.use({ timezoneId: "America/Los_Angeles" });

  test("a time rendered in the browser (a live card) reads as the server rendered it, whatever the browser's zone", async ({ page, request }) => {
    const video = uniqueVideo();
    await page.goto(`/videos?fromWxId=${video.data.fromWxId}`);
    await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
    expect((await request.post("/api/callback", { data: video })).status()).toBe(200);
    const card = page.getByTestId("video-card");
    await expect(card).toHaveCount(1);
    const inBrowser = await card.locator("time").getAttribute("title");
    await page.reload();
    await expect(card).toHaveCount(1);
    expect(await card.locator("time").getAttribute("title")).toBe(inBrowser);
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe("America/Los_Angeles");
  });
});

test("the header's language switch remembers the choice in NEXT_LOCALE, over Accept-Language", async ({ page, context }) => {
  await page.goto("/robots");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByLabel("Language").selectOption("zh-CN");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("机器人");
  expect((await context.cookies()).find((c) => c.name === "NEXT_LOCALE")?.value).toBe("zh-CN");
  await page.reload();
  await expect(page.getByRole("link", { name: "概览" })).toBeVisible();
  await page.getByLabel("语言").selectOption("en");
  await expect(page.getByRole("link", { name: "Overview" })).toBeVisible();
  await context.clearCookies();
});
