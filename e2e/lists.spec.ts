// The operator's lists (issue 27 item 9), in a real Chromium against a server and database of its
// own: sorting /videos by time, duration and size with keyset pages that stay in that order, and
// rows that are links as a whole (a tap anywhere on the row, or Enter on its link), in zh-CN and
// en-US, at 1440 px and 390 px, axe clean.
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expectAccessible } from "./accessible";
import { expect, test, uniqueVideo } from "./fixtures";

const LANGUAGES = [
  { locale: "zh-CN", sort: "排序", longest: "时长最长在前", largest: "文件最大在前", more: "更多视频", open: "打开" },
  { locale: "en-US", sort: "Sort", longest: "Longest first", largest: "Largest first", more: "More videos", open: "Open" },
];
const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

let app: AppServer;
let drop: () => Promise<void>;
const tag = Date.now().toString(36);
const SORTED = `R:sorted-${tag}@chatroom`;
/** The sorted conversation's videos by letter: duration (s), size (bytes, null: not sent), minutes ago. */
const SPECS = {
  A: { duration: 30, size: 5_000_000, ago: 50 },
  B: { duration: 5, size: 9_000_000, ago: 40 },
  C: { duration: 60, size: 1_000_000, ago: 30 },
  D: { duration: 30, size: null, ago: 20 },
  E: { duration: 12, size: 3_000_000, ago: 10 },
} as const;
type Letter = keyof typeof SPECS;
const ids = {} as Record<Letter, string>;

async function post(request: APIRequestContext, letter: Letter): Promise<string> {
  const spec = SPECS[letter];
  const video = uniqueVideo({ conversationId: SORTED, duration: spec.duration, sendTime: Date.now() - spec.ago * 60_000 });
  video.data.cdnData = { ...video.data.cdnData, size: spec.size };
  expect((await request.post(`${app.url}/api/callback`, { data: video })).status()).toBe(200);
  const { items } = await (await request.get(`${app.url}/api/videos?fromWxId=${video.data.fromWxId}`)).json();
  return items[0].id;
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_lists" });
  drop = db.drop;
  app = await startAppServer({ DATABASE_URL: db.url, TZ: "Asia/Shanghai" });
  // Posted in time order, so D's id is above A's: their tie on 30 s is broken by id.
  for (const letter of Object.keys(SPECS) as Letter[]) ids[letter] = await post(request, letter);
});

test.afterAll(async () => {
  await app?.stop();
  await drop?.();
});

async function open(browser: Browser, locale: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({ locale, viewport, baseURL: app.url });
  const page = await context.newPage();
  return { page, close: () => context.close() };
}

async function fitsWidth(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

const letters = (...l: Letter[]) => l.map((x) => ids[x]);
const rowIds = (page: Page) => page.getByTestId("video-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-video-id")));
const cardIds = (page: Page) => page.getByTestId("video-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-video-id")));

test("GET /api/videos sorts by each order, pages in it, and refuses an unknown sort with a code", async ({ request }) => {
  const walk = async (sort: string) => {
    const seen: string[] = [];
    let cursor = "";
    for (;;) {
      const res = await request.get(`${app.url}/api/videos?conversationId=${encodeURIComponent(SORTED)}&sort=${encodeURIComponent(sort)}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status()).toBe(200);
      const body = await res.json();
      seen.push(...body.items.map((v: { id: string }) => v.id));
      if (!body.nextCursor) return seen;
      cursor = body.nextCursor;
    }
  };
  expect(await walk("-duration")).toEqual(letters("C", "D", "A", "E", "B"));
  expect(await walk("duration")).toEqual(letters("B", "E", "A", "D", "C"));
  expect(await walk("-size")).toEqual(letters("B", "A", "E", "C", "D"));
  expect(await walk("size")).toEqual(letters("D", "C", "E", "A", "B"));
  expect(await walk("time")).toEqual(letters("A", "B", "C", "D", "E"));
  expect(await walk("-time")).toEqual(letters("E", "D", "C", "B", "A"));

  const bad = await request.get(`${app.url}/api/videos?sort=biggest`);
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ code: "bad_parameters", issues: [{ path: "sort" }] });
  // A cursor of one order is refused by another, not read as something else.
  const first = await (await request.get(`${app.url}/api/videos?sort=-size&limit=1`)).json();
  const mixed = await request.get(`${app.url}/api/videos?sort=-duration&cursor=${first.nextCursor}`);
  expect(mixed.status()).toBe(400);
  expect(await mixed.json()).toMatchObject({ code: "bad_parameters", issues: [{ path: "cursor" }] });
});

for (const l of LANGUAGES) {
  for (const viewport of VIEWPORTS) {
    test(`${l.locale} at ${viewport.width} px: /videos sorted longest first pages in that order; the grid sorts by size`, async ({ browser }) => {
      const { page, close } = await open(browser, l.locale, viewport);
      await page.goto(`/videos?view=table&limit=2&conversationId=${encodeURIComponent(SORTED)}`);
      expect(await rowIds(page)).toEqual(letters("E", "D"));
      // Choosing an order applies it at once and keeps the filters and the view.
      await page.getByLabel(l.sort, { exact: true }).selectOption({ label: l.longest });
      await expect(page).toHaveURL(/[?&]sort=-duration/);
      await expect(page).toHaveURL(/[?&]view=table/);
      await expect.poll(() => rowIds(page)).toEqual(letters("C", "D"));
      await expect(page.getByLabel(l.sort, { exact: true })).toHaveValue("-duration");
      await expectAccessible(page);
      await fitsWidth(page, viewport.width);
      // The next pages continue the same order: the tie on 30 s (D, A) is split across pages, by id.
      await page.getByRole("link", { name: l.more }).click();
      await expect.poll(() => rowIds(page)).toEqual(letters("A", "E"));
      await page.getByRole("link", { name: l.more }).click();
      await expect.poll(() => rowIds(page)).toEqual(letters("B"));

      // The grid, largest first; a video whose size was never sent comes last.
      await page.goto(`/videos?conversationId=${encodeURIComponent(SORTED)}`);
      await page.getByLabel(l.sort, { exact: true }).selectOption({ label: l.largest });
      await expect(page).toHaveURL(/[?&]sort=-size/);
      await expect.poll(() => cardIds(page)).toEqual(letters("B", "A", "E", "C", "D"));
      await expectAccessible(page);
      await fitsWidth(page, viewport.width);
      await close();
    });

    test(`${l.locale} at ${viewport.width} px: a table row opens with a tap anywhere on it or Enter on its link, and back returns to the same sorted page`, async ({ browser }) => {
      const { page, close } = await open(browser, l.locale, viewport);
      const list = `/videos?view=table&limit=2&sort=-duration&conversationId=${encodeURIComponent(SORTED)}`;
      await page.goto(list);
      await page.getByRole("link", { name: l.more }).click();
      await expect.poll(() => rowIds(page)).toEqual(letters("A", "E"));
      const listUrl = page.url();

      // A tap on the duration cell, which holds no link of its own, opens the row's video.
      const row = page.locator(`[data-testid="video-row"][data-video-id="${ids.E}"]`);
      const cell = row.locator("td").nth(4);
      await cell.scrollIntoViewIfNeeded();
      const box = (await cell.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await expect(page).toHaveURL(new RegExp(`/videos/${ids.E}\\?in=videos`));
      await expect(page.getByTestId("video-player")).toBeVisible();
      // "Back" is the very page it came from: same filters, order and page.
      await page.getByTestId("video-back").click();
      await expect(page).toHaveURL(listUrl);
      await expect.poll(() => rowIds(page)).toEqual(letters("A", "E"));

      // The keyboard: the row's link is one tab stop; Enter opens it.
      await page.locator(`[data-testid="video-row"][data-video-id="${ids.A}"] a.row-link`).focus();
      await page.keyboard.press("Enter");
      await expect(page).toHaveURL(new RegExp(`/videos/${ids.A}\\?in=videos`));
      await page.goBack();

      // Other links of the row keep their own target: the sender's name opens the sender.
      await page.locator(`[data-testid="video-row"][data-video-id="${ids.A}"]`).getByTestId("sender-nickname").click();
      await expect(page).toHaveURL(/\/senders\//);

      // The conversations list: a tap on the count cell opens that conversation.
      await page.goto(`/conversations?q=${encodeURIComponent(`sorted-${tag}`)}`);
      const conversation = page.getByTestId("conversation-row").first();
      const count = conversation.locator("td").nth(1);
      const countBox = (await count.boundingBox())!;
      await page.mouse.click(countBox.x + countBox.width / 2, countBox.y + countBox.height / 2);
      await expect(page).toHaveURL(new RegExp(`/conversations/[^?/]*sorted-${tag}`));
      await expectAccessible(page);
      await close();
    });
  }
}
