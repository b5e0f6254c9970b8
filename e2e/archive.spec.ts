// The archive in the browser (issue 25), in both languages: each video's archive state as a badge
// on its card and on its page, the /videos filter on that state, and Retry, which queues an
// expired video again (pending) until the stand-in CDN serves it (archived).
// Its own database, app server and stand-in CDN: the shared server's archive never sees these
// videos (not allowed this CDN, it would record them failed), and the shared database keeps no jobs.
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { startStandInCdn, type StandInCdn } from "../scripts/demo/cdn";
import { loadClips } from "../scripts/demo/provider";
import { expectAccessible } from "./accessible";
import { expect, test, uniqueVideo } from "./fixtures";

type State = "pending" | "archived" | "expired" | "failed";

const [clipA, clipB, clipC] = loadClips();
let app: AppServer;
let cdn: StandInCdn;
let drop: () => Promise<void>;
/** The videos posted before the tests, by the state their video file ends in. */
const seeded: Record<State, string[]> = { pending: [], archived: [], expired: [], failed: [] };

test.describe.configure({ mode: "serial" });

/** Posts a 20004 with the given cdnData through the callback; returns the stored id. */
async function post(cdnData: Record<string, unknown>, clip = clipA): Promise<string> {
  const video = uniqueVideo({ width: clip.width, height: clip.height, duration: clip.duration });
  video.data.cdnData = { ...video.data.cdnData, ...cdnData };
  const res = await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(video) });
  expect(res.status).toBe(200);
  const { items } = await (await fetch(`${app.url}/api/videos?fromWxId=${video.data.fromWxId}`)).json();
  return items[0].id;
}

/** cdnData whose links serve the clip's video and preview, encrypted with the payload's one key (`options`: the video link's behaviour). */
function served(clip = clipA, options: Parameters<StandInCdn["publish"]>[1] = {}) {
  const key = randomBytes(16);
  const video = cdn.publish(clip.video, { ...options, key });
  const preview = cdn.publish(clip.preview, { key });
  return { url: video.url, aes_key: key.toString("hex"), md5: video.md5, size: video.size, preview_img_url: preview.url, preview_img_size: preview.size };
}

async function archiveOf(id: string): Promise<Record<"video" | "preview", { state: State; attempts: number } | null>> {
  return (await (await fetch(`${app.url}/api/videos/${id}`)).json()).archive;
}

async function waitForState(id: string, state: State, minAttempts = 1) {
  await expect.poll(async () => {
    const a = (await archiveOf(id)).video;
    return a && a.attempts >= minAttempts ? a.state : `${a?.state ?? "none"} (${a?.attempts ?? 0} attempts)`;
  }, { timeout: 30_000 }).toBe(state);
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cdn = await startStandInCdn();
  const database = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_archive" });
  drop = database.drop;
  app = await startAppServer({ DATABASE_URL: database.url, MEDIA_ALLOWED_HOSTS: cdn.hostEntry });
  // Kept: two whose links serve the files.
  for (const clip of [clipA, clipB]) seeded.archived.push(await post(served(clip), clip));
  // Expired: two whose links answer 404 (a dead WeChat link), fetched once.
  for (let i = 0; i < 2; i++) seeded.expired.push(await post({ url: cdn.expired(), preview_img_url: cdn.expired() }));
  // Failed: the file is not the one the payload's md5 names.
  seeded.failed.push(await post({ ...served(clipC), md5: "0".repeat(32) }, clipC));
  // Pending: the CDN answers 503 (busy) to every request, so it waits for its next attempt.
  seeded.pending.push(await post(served(clipB, { failFirst: 1_000_000, failStatus: 503 }), clipB));
  for (const [state, ids] of Object.entries(seeded) as [State, string[]][]) for (const id of ids) await waitForState(id, state);
});

test.afterAll(async () => {
  await app?.stop();
  await cdn?.stop();
  await drop?.();
});

const LANGUAGES = [
  {
    locale: "en-US",
    states: { pending: "Archiving", archived: "Archived", expired: "Link expired", failed: "Not archived" },
    more: "More filters",
    filter: "Archive",
    apply: "Apply",
    retry: "Retry archiving",
  },
  {
    locale: "zh-CN",
    states: { pending: "归档中", archived: "已归档", expired: "链接已过期", failed: "归档失败" },
    more: "更多筛选",
    filter: "归档",
    apply: "应用",
    retry: "重新归档",
  },
] as const;

async function open(browser: Browser, locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, baseURL: app.url });
  return context.newPage();
}

/**
 * axe on the page once it has settled: after a client-side navigation or refresh Next streams the
 * title in, and axe twice caught the moment without one (document-title).
 */
async function accessible(page: Page) {
  await expect(page).toHaveTitle(/\S/);
  await expectAccessible(page);
}

const card = (page: Page, id: string) => page.locator(`[data-testid="video-card"][data-video-id="${id}"]`);

for (const l of LANGUAGES) {
  test(`each card shows its video's archive state, and the filter shows only that state (${l.locale})`, async ({ browser }) => {
    test.setTimeout(120_000);
    const page = await open(browser, l.locale);
    await page.goto("/videos");
    for (const [state, ids] of Object.entries(seeded) as [State, string[]][]) {
      for (const id of ids) {
        const badge = card(page, id).getByTestId("archive-badge");
        await expect(badge).toHaveText(l.states[state]);
        await expect(badge).toHaveAttribute("data-state", state);
      }
    }
    await accessible(page);

    for (const state of ["expired", "archived", "failed", "pending"] as const) {
      const details = page.locator("details", { has: page.getByText(l.more, { exact: true }) });
      if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await page.getByText(l.more, { exact: true }).click();
      await page.getByLabel(l.filter, { exact: true }).selectOption(state);
      await page.getByRole("button", { name: l.apply, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`[?&]archive=${state}(&|$)`));
      for (const id of seeded[state]) await expect(card(page, id)).toBeVisible();
      const others = (Object.entries(seeded) as [State, string[]][]).filter(([s]) => s !== state).flatMap(([, ids]) => ids);
      for (const id of others) await expect(card(page, id)).toHaveCount(0);
      // Every card listed (the retry tests' videos too) is in that state.
      const badges = page.locator('[data-testid="video-card"] [data-testid="archive-badge"]');
      expect(await badges.count()).toBeGreaterThanOrEqual(seeded[state].length);
      expect(new Set(await badges.evaluateAll((els) => els.map((e) => e.getAttribute("data-state"))))).toEqual(new Set([state]));
      await expect(page.getByLabel(l.filter, { exact: true })).toHaveValue(state);
      await accessible(page);
    }
    await page.context().close();
  });

  test(`the video page shows the archive state of its video and preview (${l.locale})`, async ({ browser }) => {
    const page = await open(browser, l.locale);
    await page.goto(`/videos/${seeded.archived[0]}`);
    const status = page.getByTestId("archive-status");
    for (const kind of ["video", "preview"]) {
      await expect(status.locator(`[data-kind="${kind}"] [data-testid="archive-badge"]`)).toHaveText(l.states.archived);
    }
    // Nothing to retry on a kept video.
    await expect(page.getByRole("button", { name: l.retry })).toHaveCount(0);
    await accessible(page);

    await page.goto(`/videos/${seeded.failed[0]}`);
    await expect(status.locator('[data-kind="video"] [data-testid="archive-badge"]')).toHaveText(l.states.failed);
    await expect(status.locator('[data-kind="video"] [data-testid="archive-badge"]')).toHaveAttribute("title", /md5/);
    await expect(status.locator('[data-kind="preview"] [data-testid="archive-badge"]')).toHaveText(l.states.archived);
    await accessible(page);
    await page.context().close();
  });

  test(`Retry on an expired video makes it pending, then archived once the CDN serves the file (${l.locale})`, async ({ browser }) => {
    test.setTimeout(180_000);
    // The link answers 404 the first time (expired), then serves the file slowly (64 KiB every
    // 2 s, about 20 s for this 640 KiB one: a clip padded out, still an MP4 to the sniffer), so the
    // page shows it pending before it is archived even on a loaded machine. (A 13 KB clip arrives
    // whole in the trickle's first write, whatever its rate: the client has all Content-Length bytes.)
    const padded = { ...clipC, video: Buffer.concat([clipC.video, Buffer.alloc(640 * 1024 - clipC.video.length)]) };
    const cdnData = served(padded, { failFirst: 1, failStatus: 404, bytesPerSecond: 32 * 1024 });
    const id = await post(cdnData, clipC);
    await waitForState(id, "expired");
    expect(cdn.hits(cdnData.url)).toBe(1);

    const page = await open(browser, l.locale);
    await page.goto(`/videos/${id}`);
    const videoBadge = page.getByTestId("archive-status").locator('[data-kind="video"] [data-testid="archive-badge"]');
    await expect(videoBadge).toHaveText(l.states.expired);
    await expect(page.getByTestId("archive-status").locator('[data-kind="preview"] [data-testid="archive-badge"]')).toHaveText(l.states.archived);
    await accessible(page);

    await page.getByRole("button", { name: l.retry }).click();
    await expect(videoBadge).toHaveText(l.states.pending);
    await expect(videoBadge).toHaveAttribute("data-state", "pending");
    await expect(page.getByRole("button", { name: l.retry })).toHaveCount(0);
    await accessible(page);

    await expect(async () => {
      await page.reload();
      await expect(videoBadge).toHaveText(l.states.archived, { timeout: 1000 });
    }).toPass({ timeout: 75_000 });
    expect(cdn.hits(cdnData.url)).toBe(2);
    // The kept file is what the video page plays, with its sha256 as ETag.
    const res = await fetch(`${app.url}/api/media/${id}/video`, { method: "HEAD" });
    expect(res.status).toBe(200);
    const archived = (await archiveOf(id)).video as unknown as { sha256: string };
    expect(res.headers.get("etag")).toContain(archived.sha256);

    // On the list too.
    await page.goto("/videos?archive=archived");
    await expect(card(page, id).getByTestId("archive-badge")).toHaveText(l.states.archived);
    await page.context().close();
  });
}
