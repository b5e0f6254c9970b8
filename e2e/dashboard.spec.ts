// The dashboard's pages: filters through the URL, the search box, the detail page, the
// conversation and sender pages, the deliveries log, hostile text, and accessibility.
import type { APIRequestContext } from "@playwright/test";
import { expectAccessible } from "./accessible";
import { expect, test, uniqueVideo } from "./fixtures";

async function post(request: APIRequestContext, video: ReturnType<typeof uniqueVideo>) {
  const res = await request.post("/api/callback", { data: video });
  expect(res.status()).toBe(200);
  const list = await request.get(`/api/videos?fromWxId=${encodeURIComponent(video.data.fromWxId as string)}`);
  return (await list.json()).items as { id: string; duration: number }[];
}


test("filters live in the URL, survive a reload and show in the form; table view; bad filters explained", async ({ page, request }) => {
  test.setTimeout(60_000);
  const short = uniqueVideo({ duration: 3 });
  const sender = short.data.fromWxId as string;
  await post(request, short);
  await post(request, uniqueVideo({ fromWxId: sender, duration: 125, serverId: `srv-long-${Date.now()}`, messageSource: 1 }));

  await page.goto(`/videos?fromWxId=${sender}&minDuration=60`);
  await expect(page.getByTestId("video-card")).toHaveCount(1);
  await expect(page.getByTestId("video-card")).toContainText("2:05");
  await expect(page.getByTestId("video-card")).toContainText("Sent by robot");
  await expect(page.getByLabel("Sender id")).toHaveValue(sender);
  await expect(page.getByLabel("Min duration (s)")).toHaveValue("60");
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveAttribute("href", `/api/export?format=csv&bom=1&tz=local&fromWxId=${sender}&minDuration=60`);
  await expect(page.getByRole("link", { name: "Export NDJSON" })).toHaveAttribute("href", /format=ndjson&fromWxId=/);
  await expect(page.getByRole("link", { name: "Export JSON" })).toHaveAttribute("href", /format=json&fromWxId=/);

  // Changing a filter in the form writes it to the URL.
  await page.getByLabel("Min duration (s)").fill("");
  await page.getByLabel("Direction").selectOption("in");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`/videos\\?fromWxId=${sender}&direction=in$`));
  await expect(page.getByTestId("video-card")).toHaveCount(1);
  await expect(page.getByTestId("video-card")).toContainText("0:03");
  await expect(page.getByTestId("video-card")).toContainText("Received");

  await page.getByRole("link", { name: "Table" }).click();
  await expect(page).toHaveURL(/view=table/);
  await expect(page.getByTestId("video-row")).toHaveCount(1);
  await expectAccessible(page);

  await page.goto("/videos?minDuration=abc&direction=sideways");
  await expect(page.getByTestId("param-error")).toContainText("minDuration");
  await expect(page.getByTestId("param-error")).toContainText("must be in or out");
});

test("the search box finds a video by sender id, nickname or conversation", async ({ page, request }) => {
  const video = uniqueVideo();
  await post(request, video);
  await page.goto("/videos");
  // The shortcut works once the page has hydrated; until then a key press goes nowhere.
  await expect(async () => {
    await page.keyboard.press("/");
    await expect(page.getByRole("searchbox", { name: "Search" })).toBeFocused({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  for (const text of [video.data.fromWxId, (video.data.fromNickName as string).toUpperCase(), video.data.conversationId] as string[]) {
    await page.getByRole("searchbox", { name: "Search" }).fill(text);
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(text).replace(/%20/g, "(\\+|%20)")}`));
    await expect(page.getByTestId("video-card")).toHaveCount(1);
    await expect(page.getByTestId("video-card")).toContainText(video.data.fromWxId as string);
  }
  await page.getByRole("searchbox", { name: "Search" }).fill("no-such-thing-anywhere");
  await page.getByRole("searchbox", { name: "Search" }).press("Enter");
  await expect(page.getByText("Nothing matches these filters")).toBeVisible();
});

test("a video's page: every field, named CDN type, no secrets, raw payload tree, arrow keys, links", async ({ page, request }) => {
  test.setTimeout(60_000);
  // A moment of its own in the past, so no other test's video falls between the two.
  const moment = Date.UTC(2019, 0, 1) + Math.floor(Math.random() * 1e10);
  const first = uniqueVideo({ sendTime: moment });
  const sender = first.data.fromWxId as string;
  const [older] = await post(request, first);
  const second = uniqueVideo({ fromWxId: sender, conversationId: first.data.conversationId, sendTime: moment + 1000, serverId: `srv-2-${Date.now()}` });
  second.data.cdnData = { ...second.data.cdnData, md5: "0123456789abcdef0123456789abcdef" };
  const [newer] = await post(request, second);

  await page.goto(`/videos/${newer.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(second.data.fromNickName as string);
  await expect(page.getByText("0123456789abcdef0123456789abcdef", { exact: true })).toBeVisible();
  await expect(page.getByText("imunion.weixin.qq.com").first()).toBeVisible();
  await expect(page.getByText(/118 KiB \(120,722 bytes\)/)).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain(first.data.cdnData.aes_key);
  expect(html).not.toContain(first.data.cdnData.auth_key);
  expect(html).not.toContain("tpdownloadmedia?param=");
  await expect(page.getByTestId("raw-payload")).toContainText("[redacted]");
  await expect(page.getByTestId("raw-payload")).toContainText("fromNickName");
  await expect(page.getByRole("link", { name: "Download video" })).toBeVisible();
  await expectAccessible(page);

  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(new RegExp(`/videos/${older.id}$`));
  await page.keyboard.press("ArrowLeft");
  await expect(page).toHaveURL(new RegExp(`/videos/${newer.id}$`));

  // The conversation is called by its one participant's nickname (issue 27), its id shown below.
  await page.locator("main").getByRole("link", { name: second.data.fromNickName as string, exact: true }).first().click();
  await expect(page).toHaveURL(/\/conversations\/R%3Aroom-/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(second.data.fromNickName as string);
  await expect(page.locator("main").locator(`[title="${first.data.conversationId}"]`).first()).toBeVisible();
});

test("cdnType is named: 2 c2c CDN, 3 big CDN", async ({ page, request }) => {
  const video = uniqueVideo({ cdnType: 3 });
  const [stored] = await post(request, video);
  await page.goto(`/videos/${stored.id}`);
  await expect(page.getByText("3 (big CDN)")).toBeVisible();
  const c2c = uniqueVideo({ cdnType: 2 });
  const [other] = await post(request, c2c);
  await page.goto(`/videos/${other.id}`);
  await expect(page.getByText("2 (c2c CDN)")).toBeVisible();
});

test("conversations and senders: lists, search, pages, nickname history, and their JSON twins", async ({ page, request }) => {
  test.setTimeout(60_000);
  const first = uniqueVideo({ fromNickName: "Old name", sendTime: Date.now() - 3_600_000 });
  const sender = first.data.fromWxId as string;
  const room = first.data.conversationId as string;
  await post(request, first);
  await post(request, uniqueVideo({ fromWxId: sender, conversationId: room, fromNickName: "New name", serverId: `srv-n-${Date.now()}` }));
  await post(request, uniqueVideo({ fromWxId: sender, conversationId: `S:${sender}`, fromNickName: "New name", serverId: `srv-p-${Date.now()}` }));

  await page.goto("/conversations");
  await page.getByRole("searchbox", { name: "Search conversations" }).fill(room);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("conversation-row")).toHaveCount(1);
  await expect(page.getByTestId("conversation-row")).toContainText("Group");
  await expect(page.getByTestId("conversation-row")).toContainText("2");
  await page.getByTestId("conversation-row").getByRole("link", { name: "New name" }).click();
  await expect(page.getByTestId("video-row")).toHaveCount(2);
  await expect(page.getByRole("region", { name: "Participants" })).toContainText(sender);
  await expectAccessible(page);

  await page.goto(`/senders?q=${encodeURIComponent("old name")}`);
  await expect(page.getByTestId("sender-row")).toHaveCount(1);
  await expect(page.getByTestId("sender-row")).toContainText("New name");
  await page.getByRole("link", { name: "New name" }).click();
  await expect(page.getByTestId("nickname")).toHaveText([/New name/, /Old name/]);
  await expect(page.getByRole("region", { name: "Conversations" })).toContainText(`S:${sender}`);
  await expect(page.getByRole("region", { name: "Conversations" })).toContainText("Private");
  await expect(page.getByTestId("video-card")).toHaveCount(3);
  await expectAccessible(page);

  const conversations = await (await request.get(`/api/conversations?q=${encodeURIComponent(room)}`)).json();
  expect(conversations.items[0]).toMatchObject({ conversationId: room, videoCount: 2, participantCount: 1 });
  const senders = await (await request.get(`/api/senders?q=${sender}&limit=1`)).json();
  expect(senders).toMatchObject({ items: [{ fromWxId: sender, nickName: "New name", videoCount: 3 }], nextCursor: null });
  expect((await request.get("/api/senders?cursor=bogus!")).status()).toBe(400);
  expect((await request.get("/api/conversations?limit=0")).status()).toBe(400);
});

test("deliveries: outcome and event code filters, the body on demand, replay on rejected rows", async ({ page, request }) => {
  test.setTimeout(60_000);
  const code = `9${Date.now() % 100000}`;
  await request.post("/api/callback", { data: { event: code, description: "friend request", data: { who: "someone" } } });
  const bad = uniqueVideo();
  delete (bad.data as Record<string, unknown>).duration;
  expect((await request.post("/api/callback", { data: bad })).status()).toBe(400);

  await page.goto(`/deliveries?eventCode=${code}`);
  await expect(page.getByTestId("delivery-row")).toHaveCount(1);
  await expect(page.getByTestId("delivery-row")).toContainText("Other event");
  await page.locator("summary", { hasText: "Body" }).click();
  await expect(page.getByTestId("delivery-body")).toContainText("friend request");
  await expectAccessible(page);

  await page.goto("/deliveries");
  await page.getByLabel("Outcome").selectOption("rejected");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/outcome=rejected/);
  const row = page.getByTestId("delivery-row").filter({ hasText: "data.duration" });
  await expect(row.first()).toContainText("Rejected");
  await expect(row.first().getByRole("button", { name: /Replay/ })).toBeVisible();
  await row.first().locator("summary", { hasText: "Body" }).click();
  await expect(row.first().getByTestId("delivery-body")).toContainText("[redacted]");
  await expect(row.first().getByTestId("delivery-body")).not.toContainText(bad.data.cdnData.aes_key);
  expect(await page.getByTestId("delivery-row").evaluateAll((rows) => rows.every((r) => r.getAttribute("data-outcome") === "rejected"))).toBe(true);

  const listed = await (await request.get(`/api/deliveries?eventCode=${code}`)).json();
  expect(listed.items).toHaveLength(1);
  expect(listed.items[0]).not.toHaveProperty("body");
  expect((await request.get("/api/deliveries?outcome=lost")).status()).toBe(400);
});

test("a nickname holding HTML is shown as text, never run", async ({ page, request }) => {
  const hostile = "<img src=x onerror=alert(1)>";
  const video = uniqueVideo({ fromNickName: hostile });
  const [stored] = await post(request, video);
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  for (const path of [`/videos?fromWxId=${video.data.fromWxId}`, `/videos/${stored.id}`, `/senders/${video.data.fromWxId}`, `/senders?q=${video.data.fromWxId}`]) {
    await page.goto(path);
    await expect(page.getByText(hostile).first()).toBeVisible();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  }
  expect(dialogs).toBe(0);
});

test("the overview shows figures, charts, top lists and the latest videos; every page passes axe", async ({ page, request }) => {
  // axe takes a few seconds a page on a busy two-core machine.
  test.setTimeout(90_000);
  const video = uniqueVideo();
  await post(request, video);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("stat-videos-today")).not.toHaveText("0");
  await expect(page.getByTestId("retention")).toHaveText(/^Keeping everything: .*\(RETENTION_DAYS\)/);
  await expect(page.getByRole("img", { name: /Videos per hour, last 24 hours/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /Videos per day, last 30 days/ })).toBeVisible();
  await expect(page.getByRole("region", { name: "Top senders" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Latest videos" }).getByTestId("sender-nickname").filter({ hasText: video.data.fromNickName as string })).toBeVisible();
  await expectAccessible(page);
  // A short page of each list: the same markup, and axe stays quick on a busy machine.
  for (const path of ["/senders?limit=5", "/conversations?limit=5"]) {
    await page.goto(path);
    await expectAccessible(page);
  }
  // Dark mode, chosen by the toggle and kept across pages.
  await page.getByRole("button", { name: /Theme: system/ }).click();
  await page.getByRole("button", { name: /Theme: light/ }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.goto("/videos?limit=6");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expectAccessible(page);
});
