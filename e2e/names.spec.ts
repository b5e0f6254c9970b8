// Names (issue 27, item 7), in a real Chromium against a server and database of its own:
// - a group without a label is called by its participants' nicknames (the most active three,
//   "、" in Chinese, ", " in English, and how many more); a private chat by the other person;
// - an operator names a conversation and a robot on their pages (a name over 64 characters is
//   refused with a message in the reader's language), sees the names on the lists, the cards, the
//   pages and the overview, finds them with q on /videos, /conversations and /robots, and gets
//   them as the last columns of the exported CSV; then removes them again;
// - every id is cut in the middle with the whole id on hover, and its copy button copies it whole.
// In zh-CN and en-US; the layout at 1440 px and 390 px (no horizontal scrolling), axe clean.
import { readFileSync } from "node:fs";
import type { Browser } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { parseCsv } from "../test/support/export-readers";
import { createDatabase } from "../test/support/postgres";
import { expectAccessible } from "./accessible";
import { expect, expectFitsWidth, openPage, test, uniqueVideo } from "./fixtures";

test.describe.configure({ mode: "serial" });

const tag = Date.now().toString(36);
const GROUP = `R:18000015434${tag}@chatroom`;
const PRIVATE = `S:wxid_alice_${tag}`;
const ROBOT = `robot-${tag}-5f0c2a9e7d3b41c8a6e2`;
const BOB = `wxid_bob_${tag}`;
const NICK = { bob: `Bob ${tag}`, carol: `Carol ${tag}`, dan: `丹 ${tag}`, erin: `Erin ${tag}`, alice: `Alice ${tag}` };

const LANGUAGES = [
  {
    locale: "zh-CN",
    fallback: `${NICK.bob}、${NICK.carol}、${NICK.dan}及其他 1 人`,
    conversationLabel: `华东区售后群 ${tag}`,
    robotLabel: `前台机器人 ${tag}`,
    nameConversation: "给这个会话起名",
    nameRobot: "给这个机器人起名",
    save: "保存名称",
    remove: "删除名称",
    saved: "名称已保存。",
    removed: "名称已删除。",
    tooLong: "名称太长：最多 64 个字。",
    copy: (id: string) => `复制 ID ${id}`,
    copied: "已复制",
    searchConversations: "搜索会话",
    searchRobots: "搜索机器人",
  },
  {
    locale: "en-US",
    fallback: `${NICK.bob}, ${NICK.carol}, ${NICK.dan} and 1 more`,
    conversationLabel: `East support group ${tag}`,
    robotLabel: `Front desk robot ${tag}`,
    nameConversation: "Name this conversation",
    nameRobot: "Name this robot",
    save: "Save name",
    remove: "Remove name",
    saved: "Name saved.",
    removed: "Name removed.",
    tooLong: "That name is too long: at most 64 characters.",
    copy: (id: string) => `Copy the id ${id}`,
    copied: "Copied",
    searchConversations: "Search conversations",
    searchRobots: "Search robots",
  },
];

let app: AppServer;
let drop: () => Promise<void>;

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_names" });
  drop = db.drop;
  app = await startAppServer({ DATABASE_URL: db.url, TZ: "Asia/Shanghai" });
  const minute = 60_000;
  const start = Date.now() - 60 * minute;
  // The group: Bob 3 videos, Carol 2, Dan 1, Erin 1 (oldest first). The private chat: the robot's
  // own account sends more than Alice does; Alice is still who the chat is with.
  const posts: Record<string, unknown>[] = [
    ...["bob", "bob", "bob", "carol", "carol", "dan", "erin"].map((who) => ({ fromWxId: `wxid_${who}_${tag}`, fromNickName: NICK[who as keyof typeof NICK], conversationId: GROUP })),
    { fromWxId: `wxid_self_${tag}`, fromNickName: "Shop account", conversationId: PRIVATE, messageSource: 1 },
    { fromWxId: `wxid_self_${tag}`, fromNickName: "Shop account", conversationId: PRIVATE, messageSource: 1 },
    { fromWxId: `wxid_alice_${tag}`, fromNickName: NICK.alice, conversationId: PRIVATE },
  ];
  for (const [i, data] of posts.entries()) {
    const video = uniqueVideo({ ...data, robotId: ROBOT, sendTime: start + i * minute });
    expect((await request.post(`${app.url}/api/callback`, { data: video })).status()).toBe(200);
  }
});

test.afterAll(async () => {
  await app?.stop();
  await drop?.();
});

const open = (browser: Browser, locale: string, viewport = { width: 1440, height: 900 }) => openPage(browser, { locale, viewport, baseURL: app.url, clipboard: true });

const conversationPath = `/conversations/${encodeURIComponent(GROUP)}`;
const robotPath = `/robots/${encodeURIComponent(ROBOT)}`;

for (const L of LANGUAGES) {
  test(`${L.locale}: name a conversation and a robot, see and find the names everywhere, export them, remove them`, async ({ browser }) => {
    test.setTimeout(120_000);
    const { page, close } = await open(browser, L.locale);
    try {
      // Unnamed: the group by its three most active participants and how many more; the id below,
      // cut in the middle, whole on hover, copied whole.
      await page.goto(conversationPath);
      await expect(page.getByTestId("conversation-title")).toHaveText(L.fallback);
      const shownId = page.locator("main header .id-text");
      await expect(shownId.locator(`[title="${GROUP}"]`)).toContainText("…");
      await shownId.getByRole("button", { name: L.copy(GROUP) }).click();
      await expect(shownId.getByRole("button", { name: L.copied })).toBeVisible();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(GROUP);
      // Each participant's id too, beside the link to the sender.
      const participant = page.getByTestId("participant").filter({ hasText: NICK.bob });
      await participant.getByRole("button", { name: L.copy(BOB) }).click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(BOB);
      await expectAccessible(page);

      // Too long: refused, said so, nothing stored.
      const editor = page.getByTestId("label-editor");
      await editor.getByLabel(L.nameConversation).fill("名".repeat(65));
      await editor.getByRole("button", { name: L.save }).click();
      await expect(editor.getByRole("status")).toHaveText(L.tooLong);
      await expect(page.getByTestId("conversation-title")).toHaveText(L.fallback);

      await editor.getByLabel(L.nameConversation).fill(`  ${L.conversationLabel}  `);
      await editor.getByRole("button", { name: L.save }).click();
      await expect(editor.getByRole("status")).toHaveText(L.saved);
      await expect(page.getByTestId("conversation-title")).toHaveText(L.conversationLabel);
      await expect(page).toHaveTitle(new RegExp(L.conversationLabel));

      // The robot, on its page.
      await page.goto(robotPath);
      await expect(page.getByTestId("robot-title")).toHaveText(ROBOT);
      const robotEditor = page.getByTestId("label-editor");
      await robotEditor.getByLabel(L.nameRobot).fill(L.robotLabel);
      await robotEditor.getByRole("button", { name: L.save }).click();
      await expect(page.getByTestId("robot-title")).toHaveText(L.robotLabel);
      await expect(page).toHaveTitle(new RegExp(L.robotLabel));
      await expectAccessible(page);

      // Lists: found by part of the name with q.
      await page.goto("/conversations");
      await page.getByRole("searchbox", { name: L.searchConversations }).fill(L.conversationLabel.slice(0, 4));
      await page.getByRole("searchbox", { name: L.searchConversations }).press("Enter");
      await expect(page.getByTestId("conversation-row")).toHaveCount(1);
      await expect(page.getByTestId("conversation-row").getByTestId("conversation-name")).toHaveText(L.conversationLabel);
      await page.goto("/robots");
      await page.getByRole("searchbox", { name: L.searchRobots }).fill(L.robotLabel.slice(0, 5).toUpperCase());
      await page.getByRole("searchbox", { name: L.searchRobots }).press("Enter");
      await expect(page.getByTestId("robot-row")).toHaveCount(1);
      await expect(page.getByTestId("robot-row").getByTestId("robot-label")).toHaveText(L.robotLabel);

      // Videos: q by the conversation's name finds its 7 videos, each card named by it.
      await page.goto(`/videos?q=${encodeURIComponent(L.conversationLabel)}`);
      await expect(page.getByTestId("video-card")).toHaveCount(7);
      await expect(page.getByTestId("video-card").getByTestId("conversation-name")).toHaveText(Array(7).fill(L.conversationLabel));
      // ... and the exported CSV carries both names as its last columns.
      const [download] = await Promise.all([page.waitForEvent("download"), page.locator('a[href^="/api/export?format=csv"]').click()]);
      const [header, ...rows] = parseCsv(readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, ""));
      expect(header.slice(-2)).toEqual(["conversationLabel", "robotLabel"]);
      expect(rows).toHaveLength(7);
      for (const row of rows) expect(row.slice(-2)).toEqual([L.conversationLabel, L.robotLabel]);
      // q by the robot's name finds every video of the robot; the table names the conversation too.
      await page.goto(`/videos?view=table&q=${encodeURIComponent(L.robotLabel)}`);
      await expect(page.getByTestId("video-row")).toHaveCount(10);
      await expect(page.getByTestId("video-row").getByTestId("conversation-name").first()).toHaveText(NICK.alice);

      // The overview's top conversations and a video's page.
      await page.goto("/");
      await expect(page.getByRole("link", { name: L.conversationLabel }).first()).toBeVisible();
      await page.goto(`/videos?conversationId=${encodeURIComponent(GROUP)}`);
      await page.getByTestId("video-card").first().getByRole("link").first().click();
      await expect(page.locator("main").getByRole("link", { name: L.conversationLabel }).first()).toBeVisible();
      await expect(page.locator("main").getByRole("link", { name: L.robotLabel })).toBeVisible();

      // The private chat: the other person.
      await page.goto(`/conversations/${encodeURIComponent(PRIVATE)}`);
      await expect(page.getByTestId("conversation-title")).toHaveText(NICK.alice);

      // Removed again: the group is called by its participants once more, the robot by its id.
      await page.goto(conversationPath);
      await page.getByTestId("label-editor").getByRole("button", { name: L.remove }).click();
      await expect(page.getByTestId("conversation-title")).toHaveText(L.fallback);
      await page.goto(robotPath);
      await page.getByTestId("label-editor").getByRole("button", { name: L.remove }).click();
      await expect(page.getByTestId("robot-title")).toHaveText(ROBOT);
    } finally {
      await close();
    }
  });

  test(`${L.locale}: at 390 px the names and ids fit the screen`, async ({ browser }) => {
    const { page, close } = await open(browser, L.locale, { width: 390, height: 844 });
    try {
      for (const path of [conversationPath, "/conversations", robotPath, "/robots", `/videos?q=${encodeURIComponent(NICK.bob)}`]) {
        await page.goto(path);
        await expect(page.locator("main")).toBeVisible();
        await expectFitsWidth(page, 390);
        await expectAccessible(page);
      }
      // The row is one link (lists): on a phone the name wraps and the id line is left out, so a tap
      // on the count cell, still on screen, opens the conversation.
      await page.goto("/conversations");
      const alice = page.getByTestId("conversation-row").filter({ hasText: NICK.alice });
      await expect(alice.getByTestId("conversation-name")).toHaveText(NICK.alice);
      const count = (await alice.locator("td").nth(1).boundingBox())!;
      expect(count.x + count.width).toBeLessThanOrEqual(390);
      await page.mouse.click(count.x + count.width / 2, count.y + count.height / 2);
      await expect(page).toHaveURL(new RegExp(`/conversations/${encodeURIComponent(PRIVATE)}$`));
    } finally {
      await close();
    }
  });
}
