// Live updates: a callback posted while pages are open shows up without a reload, on a fresh
// install (empty states first) and in filtered views; a reader who scrolled away gets a pill.
import { readFileSync } from "node:fs";
import { test as base } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expect, test, uniqueVideo } from "./fixtures";

const providerExample = JSON.parse(readFileSync(new URL("../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

test("a video posted while /videos is open arrives live in a filtered view, others stay out", async ({ page, request }) => {
  const mine = uniqueVideo();
  const other = uniqueVideo();
  const sender = mine.data.fromWxId as string;
  await page.goto(`/videos?fromWxId=${sender}`);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
  await expect(page.getByText("Nothing matches these filters")).toBeVisible();
  // A second stream in the same page records what the server sent it, to know when the
  // non-matching video has reached the browser (the page's own stream gets the same events).
  await page.evaluate(() => {
    const w = window as unknown as { streamed: string[]; probe: EventSource };
    w.streamed = [];
    w.probe = new EventSource("/api/stream");
    w.probe.addEventListener("video", (e) => w.streamed.push(JSON.parse((e as MessageEvent<string>).data).fromWxId));
    return new Promise((resolve) => (w.probe.onopen = resolve));
  });

  expect((await request.post("/api/callback", { data: other })).status()).toBe(200);
  expect((await request.post("/api/callback", { data: mine })).status()).toBe(200);
  const streamed = () => page.evaluate(() => (window as unknown as { streamed: string[] }).streamed);
  await expect.poll(streamed, { timeout: 15_000 }).toEqual(expect.arrayContaining([other.data.fromWxId, sender]));
  await expect(page.getByTestId("video-card").filter({ hasText: sender })).toHaveCount(1, { timeout: 15_000 });
  // Both events have reached the page and the matching one is shown: the other must not be.
  await expect(page.getByText(other.data.fromWxId as string)).toHaveCount(0);
  await expect(page.getByText(other.data.fromNickName as string)).toHaveCount(0);
  await expect(page.getByTestId("video-card")).toHaveCount(1);
});

test("a reader who scrolled away sees an 'N new videos' pill instead of a moving list", async ({ page, request }) => {
  const first = uniqueVideo();
  const room = first.data.conversationId as string;
  for (let i = 0; i < 14; i++) {
    await request.post("/api/callback", { data: uniqueVideo({ conversationId: room, serverId: `srv-pill-${Date.now()}-${i}`, sendTime: Date.now() - 60_000 - i }) });
  }
  await page.setViewportSize({ width: 390, height: 700 });
  await page.goto(`/videos?conversationId=${encodeURIComponent(room)}`);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
  await expect(page.getByTestId("video-card")).toHaveCount(14);
  await page.mouse.wheel(0, 2000);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
  const scrollBefore = await page.evaluate(() => window.scrollY);

  await request.post("/api/callback", { data: uniqueVideo({ conversationId: room }) });
  await expect(page.getByTestId("new-videos-pill")).toHaveText(/1 new video/);
  await expect(page.getByTestId("video-card")).toHaveCount(14);
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - scrollBefore)).toBeLessThan(5);

  await page.getByTestId("new-videos-pill").click();
  await expect(page.getByTestId("video-card")).toHaveCount(15);
  await expect(page.getByTestId("new-videos-pill")).toHaveCount(0);
});

base.describe("a new user", () => {
  let app: AppServer;
  let drop: () => Promise<void>;
  base.beforeAll(async () => {
    const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_fresh" });
    drop = db.drop;
    app = await startAppServer({ DATABASE_URL: db.url });
  });
  base.afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  base("is told the callback URL, posts the provider's example, and sees it everywhere without reloading", async ({ page, context, request }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.url });
    await page.goto(app.url);
    await expect(page.getByTestId("callback-url").first()).toHaveText(`${app.url}/api/callback`);
    await page.getByRole("button", { name: "Copy callback URL" }).first().click();
    await expect(page.getByRole("button", { name: "Copied" }).first()).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${app.url}/api/callback`);
    await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");

    const posted = await request.post(`${app.url}/api/callback`, { data: providerExample });
    expect(posted.status()).toBe(200);
    const latest = page.getByRole("region", { name: "Latest videos" });
    await expect(latest.getByTestId("video-card")).toHaveCount(1, { timeout: 15_000 });
    await expect(latest.getByTestId("video-card")).toContainText("好友昵称");
    await expect(page.getByTestId("stat-all-videos")).toHaveText("1");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Videos" }).click();
    await expect(page.getByTestId("video-card")).toContainText("test");
    await page.getByRole("searchbox", { name: "Search" }).fill("test");
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    await expect(page).toHaveURL(/\/videos\?q=test$/);
    await expect(page.getByTestId("video-card")).toHaveCount(1);

    // The conversation "string" is called by its one participant's nickname (issue 27), its id below.
    await page.getByTestId("video-card").getByTestId("conversation-name").click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("好友昵称");
    await expect(page.locator("main header [title=string]")).toBeVisible();
    await expect(page.getByTestId("video-row")).toHaveCount(1);
    await page.getByRole("region", { name: "Participants" }).getByRole("link").first().click();
    await expect(page).toHaveURL(/\/senders\/test$/);
    await expect(page.getByTestId("nickname")).toHaveText([/好友昵称/]);

    // Still live on the sender's page: a second video from them appears without a reload.
    await request.post(`${app.url}/api/callback`, { data: { ...providerExample, data: { ...providerExample.data, serverId: "second" } } });
    await expect(page.getByTestId("video-card")).toHaveCount(2, { timeout: 15_000 });
  });
});

test("on a phone, no page scrolls sideways", async ({ page, request }) => {
  const video = uniqueVideo();
  await request.post("/api/callback", { data: video });
  await page.setViewportSize({ width: 375, height: 740 });
  for (const path of ["/", `/videos?view=table&fromWxId=${video.data.fromWxId}`, `/videos?fromWxId=${video.data.fromWxId}`, "/conversations?limit=5", "/senders?limit=5", "/deliveries?limit=5"]) {
    await page.goto(path);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(375);
  }
});

test("the connection indicator shows a lost stream and reconnects by itself", async ({ page }) => {
  await page.goto("/videos?limit=1");
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
  // The network goes, and the server refuses the stream for a while: the page retries on its own.
  await page.route("**/api/stream*", (route) => route.fulfill({ status: 503, body: "down" }));
  await page.context().setOffline(true);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "reconnecting", { timeout: 10_000 });
  await expect(page.getByTestId("live-indicator")).toHaveText("Reconnecting…");
  await page.context().setOffline(false);
  await page.unroute("**/api/stream*");
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live", { timeout: 15_000 });
});
