// Watching a conversation in order (issue 27 item 2), in a real Chromium against a server of its
// own whose stand-in CDN serves real, playable clips: the conversation's videos interleave with
// another conversation's, so "the next video overall" is always the wrong one.
// - the order toggle (order=asc in the URL) lists oldest first;
// - "play all" plays the first video, and when it ends (real playback) the next one of THIS
//   conversation starts;
// - a video opened from the conversation: → goes to the conversation's next video, "back" returns
//   to the conversation in its order; opened newest first, → goes to the older one of it.
// In zh-CN and en, at 1440 px and 390 px, axe clean, no horizontal scrolling.
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { startStandInCdn, type StandInCdn } from "../scripts/demo/cdn";
import { loadClips } from "../scripts/demo/provider";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expectAccessible } from "./accessible";
import { expect, expectFitsWidth, openPage, test, uniqueVideo } from "./fixtures";

const clips = loadClips();
const LANGUAGES = [
  { locale: "zh-CN", oldestFirst: "从早到晚", newestFirst: "从新到旧", playAll: "全部播放", back: "返回会话" },
  { locale: "en-US", oldestFirst: "Oldest first", newestFirst: "Newest first", playAll: "Play all", back: "Back to the conversation" },
];
const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

let cdn: StandInCdn;
let app: AppServer;
let drop: () => Promise<void>;
const tag = Date.now().toString(36);
const GROUP = `R:watch-${tag}@chatroom`;
const OTHER = `R:other-${tag}@chatroom`;
/** The conversation's videos oldest first, and the other conversation's, by id. */
const group: string[] = [];
const other: string[] = [];

async function post(request: APIRequestContext, conversationId: string, minutesAgo: number, n: number): Promise<string> {
  const clip = clips[n % clips.length];
  const published = cdn.publish(clip.video, { encrypted: false });
  const video = uniqueVideo({ conversationId, sendTime: Date.now() - minutesAgo * 60_000, width: clip.width, height: clip.height, duration: clip.duration });
  video.data.cdnData = { ...video.data.cdnData, url: published.url, aes_key: null, auth_key: null, md5: published.md5, size: published.size, preview_img_url: null, preview_img_size: null };
  expect((await request.post(`${app.url}/api/callback`, { data: video })).status()).toBe(200);
  const { items } = await (await request.get(`${app.url}/api/videos?fromWxId=${video.data.fromWxId}`)).json();
  return items[0].id;
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  cdn = await startStandInCdn();
  const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_watch" });
  drop = db.drop;
  app = await startAppServer({ DATABASE_URL: db.url, MEDIA_ALLOWED_HOSTS: cdn.hostEntry, TZ: "Asia/Shanghai" });
  // GROUP 30, OTHER 29, GROUP 28, OTHER 27, GROUP 26 minutes ago.
  for (let i = 0; i < 5; i++) {
    const conversation = i % 2 === 0 ? GROUP : OTHER;
    const id = await post(request, conversation, 30 - i, i);
    (conversation === GROUP ? group : other).push(id);
  }
});

test.afterAll(async () => {
  await app?.stop();
  await cdn?.stop();
  await drop?.();
});

const open = (browser: Browser, locale: string, viewport: { width: number; height: number }) => openPage(browser, { locale, viewport, baseURL: app.url });

const conversationPath = `/conversations/${encodeURIComponent(GROUP)}`;
const rowIds = (page: Page) => page.getByTestId("video-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-video-id")));

for (const l of LANGUAGES) {
  for (const viewport of VIEWPORTS) {
    test(`${l.locale} at ${viewport.width} px: a conversation oldest first, play all goes on to its next video, and its video pages stay in it`, async ({ browser }) => {
      test.setTimeout(120_000);
      const { page, close } = await open(browser, l.locale, viewport);

      // Newest first by default; the toggle puts the order in the URL.
      await page.goto(conversationPath);
      await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
      expect(await rowIds(page)).toEqual([...group].reverse());
      await page.getByRole("link", { name: l.oldestFirst }).click();
      await expect(page).toHaveURL(/[?&]order=asc/);
      await expect(page.getByRole("link", { name: l.oldestFirst })).toHaveAttribute("aria-current", "page");
      await expect.poll(() => rowIds(page)).toEqual(group);
      await expectAccessible(page);
      await expectFitsWidth(page, viewport.width);

      // Play all: the first video plays for real; when it ends, the conversation's next one starts.
      await page.getByRole("button", { name: l.playAll }).click();
      const player = page.getByTestId("play-all-video");
      await expect(player).toHaveAttribute("data-video-id", group[0]);
      const played = await player.evaluate(async (el) => {
        const v = el as HTMLVideoElement;
        v.addEventListener("ended", () => ((window as unknown as { endedVideo: string }).endedVideo = v.dataset.videoId ?? ""), { once: true });
        v.muted = true;
        v.playbackRate = 4;
        if (v.paused) await v.play();
        await new Promise<void>((resolve) => {
          const check = () => (v.currentTime > 0.2 ? resolve() : requestAnimationFrame(check));
          check();
        });
        return v.currentTime;
      });
      expect(played).toBeGreaterThan(0.2);
      // ended → next: the second video of this conversation, not the other conversation's, which came in between.
      await expect.poll(() => page.evaluate(() => (window as unknown as { endedVideo?: string }).endedVideo), { timeout: 20_000 }).toBe(group[0]);
      await expect(player).toHaveAttribute("data-video-id", group[1]);
      expect(other).not.toContain(group[1]);
      expect(await player.evaluate((el) => (el as HTMLVideoElement).src)).toContain(`/api/media/${group[1]}/video`);
      await expect(page.getByTestId("play-all-skipping")).toHaveCount(0);
      await expectAccessible(page);
      await expectFitsWidth(page, viewport.width);

      // A video opened from the conversation keeps it: → is the conversation's next (newer) video.
      await page.locator(`[data-testid="video-row"][data-video-id="${group[1]}"] a[href^="/videos/"]`).click();
      await expect(page).toHaveURL(new RegExp(`/videos/${group[1]}\\?in=conversation`));
      await expect(page.getByTestId("video-player")).toBeVisible();
      await expectAccessible(page);
      await expectFitsWidth(page, viewport.width);
      await page.keyboard.press("ArrowRight");
      await expect(page).toHaveURL(new RegExp(`/videos/${group[2]}\\?`));
      await page.keyboard.press("ArrowLeft");
      await expect(page).toHaveURL(new RegExp(`/videos/${group[1]}\\?`));
      await page.keyboard.press("ArrowLeft");
      await expect(page).toHaveURL(new RegExp(`/videos/${group[0]}\\?`));
      // The context is in the URL: the same link, opened afresh, walks the same way.
      const shared = page.url();
      const again = await open(browser, l.locale, viewport);
      await again.page.goto(shared);
      await expect(again.page.getByTestId("video-right")).toHaveAttribute("href", new RegExp(`^/videos/${group[1]}\\?in=conversation`));
      await again.close();

      // Back returns to the conversation, in the order it was watched.
      await page.getByRole("link", { name: l.back }).click();
      await expect(page).toHaveURL(new RegExp(`/conversations/[^?]+\\?order=asc$`));
      await expect.poll(() => rowIds(page)).toEqual(group);

      // Newest first: → from the middle video is the conversation's older one, not the other conversation's.
      await page.getByRole("link", { name: l.newestFirst }).click();
      await expect.poll(() => rowIds(page)).toEqual([...group].reverse());
      await page.locator(`[data-testid="video-row"][data-video-id="${group[1]}"] a[href^="/videos/"]`).click();
      await expect(page).toHaveURL(new RegExp(`/videos/${group[1]}\\?in=conversation`));
      await expect(page.getByTestId("video-player")).toBeVisible();
      await page.keyboard.press("ArrowRight");
      await expect(page).toHaveURL(new RegExp(`/videos/${group[0]}\\?`));
      await page.getByRole("link", { name: l.back }).click();
      await expect(page).toHaveURL(new RegExp(`/conversations/[^?]+$`));
      await close();
    });
  }
}
