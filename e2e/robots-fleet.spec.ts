// Robots are data from outside: a fleet of 508 robots with the longest ids the callback accepts,
// 500 of them silent, on a phone. /robots is paged, the overview names a few silent robots and
// counts the rest, and neither page is wider than the phone; an id the callback refuses never
// reaches them. Its own `next start` on its own database: the silent fleet makes health degraded.
import { createPool, type Pool } from "../lib/db/client";
import type { Browser, Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expectAccessible } from "./accessible";
import { expect, test, uniqueVideo } from "./fixtures";

let app: AppServer;
let db: Pool;
let drop: () => Promise<void>;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const database = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_fleet" });
  drop = database.drop;
  db = createPool(database.url, 1);
  app = await startAppServer({ DATABASE_URL: database.url });
  // 508 robots with 64-character ids: 500 last heard two hours ago (silent), 8 a minute ago.
  await db.query(
    `INSERT INTO robot_instances ("robotId", "instanceId", "lastCallbackAt")
     SELECT 'wxid_fleet' || lpad(i::text, 4, '0') || repeat('W', 50), 'inst-' || i, now() - CASE WHEN i <= 500 THEN interval '2 hours' ELSE interval '1 minute' END
     FROM generate_series(1, 508) i`,
  );
});

test.afterAll(async () => {
  await app?.stop();
  await db?.end();
  await drop?.();
});

const LANGUAGES = [
  { locale: "en-US", summary: "500 of 508 silent", more: "and 494 more silent", next: "More robots" },
  { locale: "zh-CN", summary: "508 个中 500 个静默", more: "另有 494 个静默", next: "更多机器人" },
];

const onPhone = (browser: Browser, locale: string) => browser.newContext({ locale, viewport: { width: 390, height: 844 } });
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test("a robot id the callback refuses (10,000 characters, a link) is a 400 and never listed", async () => {
  for (const robotId of ["R".repeat(10_000), "[click](https://evil.example)"]) {
    const res = await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(uniqueVideo({ robotId })) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ issues: [{ path: "data.robotId" }] });
  }
  expect((await (await fetch(`${app.url}/api/robots?q=evil`)).json()).items).toEqual([]);
  expect((await (await fetch(`${app.url}/api/robots?q=RRRR`)).json()).items).toEqual([]);
});

for (const l of LANGUAGES) {
  test(`the overview on a phone counts 508 robots and names 6 silent ones, no wider than the screen (${l.locale})`, async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await onPhone(browser, l.locale);
    const page = await context.newPage();
    await page.goto(`${app.url}/`);
    const strip = page.getByTestId("robot-strip");
    await expect(strip.getByTestId("robot-strip-summary")).toHaveText(l.summary);
    await expect(strip.getByRole("listitem")).toHaveCount(6);
    await expect(strip.getByRole("link", { name: "wxid_fleet0001" })).toBeVisible();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await expectAccessible(page);
    await strip.getByRole("link", { name: l.more }).click();
    await expect(page).toHaveURL(/\/robots\?state=silent$/);
    await expect(page.getByTestId("robot-row")).toHaveCount(50);
    await context.close();
  });

  test(`/robots on a phone is a page of 50 of the 508, no wider than the screen, and pages on (${l.locale})`, async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await onPhone(browser, l.locale);
    const page = await context.newPage();
    const response = await page.goto(`${app.url}/robots`);
    expect((await response!.text()).length).toBeLessThan(200_000);
    await expect(page.getByTestId("robot-counts")).toContainText("508");
    await expect(page.getByTestId("robot-row")).toHaveCount(50);
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await expectAccessible(page);
    await page.getByRole("link", { name: l.next }).click();
    await expect(page.getByTestId("robot-row").first()).toContainText("wxid_fleet0051");
    await context.close();
  });
}

test("GET /api/robots walks the whole fleet by cursor, silent ones first, each once", async () => {
  const seen: { robotId: string; state: string }[] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${app.url}/api/robots?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status).toBe(200);
    const page = await res.json();
    expect(page.counts).toEqual({ total: 508, silent: 500 });
    seen.push(...page.items.map((r: { robotId: string; state: string }) => ({ robotId: r.robotId, state: r.state })));
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen).toHaveLength(508);
  expect(new Set(seen.map((r) => r.robotId)).size).toBe(508);
  expect(seen.slice(0, 500).every((r) => r.state === "silent")).toBe(true);
  expect(seen.slice(500).every((r) => r.state === "active")).toBe(true);
  expect((await fetch(`${app.url}/api/robots?state=dormant`)).status).toBe(400);
});
