// The operator's lists (issue 27 items 9 and 5), in a real Chromium against a server and database
// of its own, in zh-CN and en-US, at 1440 px and 390 px, axe clean:
// - sorting /videos by time, duration and size with keyset pages that stay in that order;
// - rows that are links as a whole (a tap anywhere on the row, or Enter on its link);
// - selecting videos on cards or rows: "export N" downloads exactly those, "delete N" (confirmed)
//   deletes exactly those and leaves the reader on the same list, filters, order and page, saying
//   what was deleted; a video deleted from its own page returns to the list it came from, saying so;
// - the export links say how many rows the file holds, and a download shows its progress.
import { readFile } from "node:fs/promises";
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expectAccessible } from "./accessible";
import { expect, expectFitsWidth, openPage, test, uniqueVideo } from "./fixtures";

const LANGUAGES = [
  {
    locale: "zh-CN", sort: "排序", longest: "时长最长在前", largest: "文件最大在前", more: "更多视频", open: "打开",
    select: (sender: string) => `选择 ${sender} 的视频`, selected: (n: number) => `已选 ${n} 个视频`, exportN: (n: number) => `导出 ${n} 个（CSV）`, deleteN: (n: number) => `删除 ${n} 个`,
    confirmN: (n: number) => `删除 ${n} 个视频`, deletedFrom: (n: number, who: string) => `已删除 ${n} 个视频，来自 ${who}。`, separator: "、",
    exportRows: (n: number) => `导出 ${n} 行`, exportCsv: "导出 CSV", downloaded: (n: number) => `已下载 ${n} 行`, deleteOne: "删除", confirmOne: "删除视频",
  },
  {
    locale: "en-US", sort: "Sort", longest: "Longest first", largest: "Largest first", more: "More videos", open: "Open",
    select: (sender: string) => `Select the video from ${sender}`, selected: (n: number) => `${n} videos selected`, exportN: (n: number) => `Export ${n} (CSV)`, deleteN: (n: number) => `Delete ${n}`,
    confirmN: (n: number) => `Delete ${n} videos`, deletedFrom: (n: number, who: string) => `Deleted ${n} videos from ${who}.`, separator: ", ",
    exportRows: (n: number) => `Export ${n} rows`, exportCsv: "Export CSV", downloaded: (n: number) => `Downloaded ${n} rows`, deleteOne: "Delete", confirmOne: "Delete video",
  },
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

const open = (browser: Browser, locale: string, viewport: { width: number; height: number }) => openPage(browser, { locale, viewport, baseURL: app.url });

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
      await expectFitsWidth(page, viewport.width);
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
      await expectFitsWidth(page, viewport.width);
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
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
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
      await count.scrollIntoViewIfNeeded();
      const countBox = (await count.boundingBox())!;
      await page.mouse.click(countBox.x + countBox.width / 2, countBox.y + countBox.height / 2);
      await expect(page).toHaveURL(new RegExp(`/conversations/[^?/]*sorted-${tag}`));
      await expectAccessible(page);

      // The senders, deliveries and robots lists: a tap on a cell with no link of its own opens the row's page.
      for (const [list, row, cell, target] of [
        ["/senders", "sender-row", 1, /\/senders\/wxid_/],
        ["/deliveries", "delivery-row", 1, /\/deliveries\/\d+$/],
        ["/robots", "robot-row", 1, /\/robots\/[^/?]+$/],
      ] as const) {
        await page.goto(list);
        const td = page.getByTestId(row).first().locator("td").nth(cell);
        await td.scrollIntoViewIfNeeded();
        const tdBox = (await td.boundingBox())!;
        await page.mouse.click(tdBox.x + tdBox.width / 2, tdBox.y + tdBox.height / 2);
        await expect(page).toHaveURL(target);
      }
      await close();
    });
  }
}

/** Six videos of their own conversation for one delete test, oldest first: ids and senders' names. */
async function postBatch(request: APIRequestContext, name: string): Promise<{ conversationId: string; ids: string[]; names: string[] }> {
  const conversationId = `R:${name}-${tag}@chatroom`;
  const ids: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    const nickName = `${name}-${i}`;
    const video = uniqueVideo({ conversationId, fromNickName: nickName, duration: 10 + i, sendTime: Date.now() - (60 - i) * 60_000 });
    expect((await request.post(`${app.url}/api/callback`, { data: video })).status()).toBe(200);
    const { items } = await (await request.get(`${app.url}/api/videos?fromWxId=${video.data.fromWxId}`)).json();
    ids.push(items[0].id);
    names.push(nickName);
  }
  return { conversationId, ids, names };
}

async function csvIds(path: string): Promise<string[]> {
  const text = (await readFile(path, "utf8")).replace(/^\uFEFF/, "");
  const [header, ...lines] = text.trim().split("\n");
  const column = header.split(",").indexOf("id");
  return lines.map((line) => line.split(",")[column]);
}

test("DELETE /api/videos?ids= deletes exactly those; without ids it refuses; the count follows the filters", async ({ request }) => {
  const batch = await postBatch(request, "api-batch");
  const count = async (query: string) => (await (await request.get(`${app.url}/api/videos/count?${query}`)).json()).count;
  expect(await count(`conversationId=${encodeURIComponent(batch.conversationId)}`)).toBe(6);
  expect(await count(`ids=${batch.ids.slice(0, 2).join(",")}`)).toBe(2);
  const headers = { origin: app.url };
  const refused = await request.delete(`${app.url}/api/videos`, { headers });
  expect(refused.status()).toBe(400);
  expect(await refused.json()).toMatchObject({ code: "bad_parameters", issues: [{ path: "ids" }] });
  expect((await request.delete(`${app.url}/api/videos?ids=1,x`, { headers })).status()).toBe(400);
  const deleted = await request.delete(`${app.url}/api/videos?ids=${batch.ids[0]},${batch.ids[3]}`, { headers });
  expect(deleted.status()).toBe(200);
  const body = await deleted.json();
  expect(body.deleted).toBe(2);
  expect([...body.ids].sort()).toEqual([batch.ids[0], batch.ids[3]].sort());
  expect(await count(`conversationId=${encodeURIComponent(batch.conversationId)}`)).toBe(4);
});

for (const l of LANGUAGES) {
  for (const viewport of VIEWPORTS) {
    const view = viewport.width === 1440 ? "table" : "grid";
    test(`${l.locale} at ${viewport.width} px (${view}): select videos, export them, delete them, and land on the same page told what went`, async ({ browser, request }) => {
      const batch = await postBatch(request, `pick-${l.locale}-${viewport.width}`);
      const { page, close } = await open(browser, l.locale, viewport);
      // The second page of the conversation, shortest first, 3 to a page: ids[3], ids[4], ids[5].
      const list = `/videos?${view === "table" ? "view=table&" : ""}conversationId=${encodeURIComponent(batch.conversationId)}&sort=duration&limit=3`;
      await page.goto(list);
      await page.getByRole("link", { name: l.more }).click();
      const shown = view === "table" ? rowIds : cardIds;
      await expect.poll(() => shown(page)).toEqual(batch.ids.slice(3));
      const here = page.url();

      await page.getByRole("checkbox", { name: l.select(batch.names[3]) }).check();
      await page.getByRole("checkbox", { name: l.select(batch.names[5]) }).check();
      const bar = page.getByRole("region", { name: /已选视频|Selected videos/ });
      await expect(bar.getByTestId("selection-count")).toHaveText(l.selected(2));
      await expectAccessible(page);
      await expectFitsWidth(page, viewport.width);

      // Export 2: exactly the chosen videos, with the progress saying so.
      const downloading = page.waitForEvent("download");
      await bar.getByRole("link", { name: l.exportN(2) }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^videos_selected-2_.*\.csv$/);
      expect((await csvIds((await download.path())!)).sort()).toEqual([batch.ids[3], batch.ids[5]].sort());
      await expect(bar.getByTestId("export-progress")).toContainText(l.downloaded(2));

      // Delete 2, confirmed: the same URL (list, filters, order, page), the rest still there, and a message.
      await bar.getByRole("button", { name: l.deleteN(2) }).click();
      const dialog = page.getByRole("dialog");
      await expect(dialog).toBeVisible();
      await expectAccessible(page);
      await dialog.getByRole("button", { name: l.confirmN(2) }).click();
      await expect(page.getByTestId("deleted-notice")).toContainText(l.deletedFrom(2, [batch.names[3], batch.names[5]].join(l.separator)));
      expect(page.url()).toBe(here);
      await expect.poll(() => shown(page)).toEqual([batch.ids[4]]);
      await expect(page.getByTestId("selection-bar")).toHaveCount(0);
      const left = await (await request.get(`${app.url}/api/videos?conversationId=${encodeURIComponent(batch.conversationId)}`)).json();
      expect(left.items.map((v: { id: string }) => v.id).sort()).toEqual([batch.ids[0], batch.ids[1], batch.ids[2], batch.ids[4]].sort());
      await expectAccessible(page);
      await expectFitsWidth(page, viewport.width);

      // One video deleted from its own page goes back to the list it was opened from (this page), saying so.
      await page.locator(`[data-video-id="${batch.ids[4]}"] a[href^="/videos/${batch.ids[4]}"]`).first().click();
      await expect(page).toHaveURL(new RegExp(`/videos/${batch.ids[4]}\\?in=videos`));
      await page.getByRole("button", { name: l.deleteOne, exact: true }).click();
      await page.getByRole("dialog").getByRole("button", { name: l.confirmOne }).click();
      await expect(page).toHaveURL(here);
      await expect(page.getByTestId("deleted-notice")).toContainText(l.deletedFrom(1, batch.names[4]).replace(/videos/, "video"));
      await close();
    });

    test(`${l.locale} at ${viewport.width} px: the export links say how many rows the file holds, and the download shows its progress`, async ({ browser, request }) => {
      const batch = await postBatch(request, `count-${l.locale}-${viewport.width}`);
      const { page, close } = await open(browser, l.locale, viewport);
      await page.goto(`/videos?conversationId=${encodeURIComponent(batch.conversationId)}`);
      const group = page.getByRole("group", { name: /导出|export/i });
      await expect(group.getByTestId("export-count")).toHaveText(l.exportRows(6));
      await expect(group.getByRole("link", { name: l.exportCsv })).toHaveAccessibleName(new RegExp(`6`));
      await expectAccessible(page);
      await expectFitsWidth(page, viewport.width);
      // The progress is seen while the file streams: the response is held back a moment to show it.
      await page.route("**/api/export?**", async (route) => {
        const response = await route.fetch();
        await new Promise((r) => setTimeout(r, 300));
        await route.fulfill({ response });
      });
      const downloading = page.waitForEvent("download");
      await group.getByRole("link", { name: l.exportCsv }).click();
      await expect(group.getByTestId("export-progress")).toBeVisible();
      const download = await downloading;
      expect((await csvIds((await download.path())!)).sort()).toEqual([...batch.ids].sort());
      await expect(group.getByTestId("export-progress")).toHaveAttribute("data-done", "true");
      await expect(group.getByTestId("export-progress")).toContainText(l.downloaded(6));
      await expect(group.locator("progress")).toHaveAttribute("max", "6");
      await expect(group.locator("progress")).toHaveAttribute("value", "6");
      await expectAccessible(page);
      // A selection in the URL (ids) is counted like any other filter.
      await page.goto(`/videos?conversationId=${encodeURIComponent(batch.conversationId)}&ids=${batch.ids[0]},${batch.ids[1]}`);
      await expect(group.getByTestId("export-count")).toHaveText(l.exportRows(2));
      await close();
    });
  }
}

