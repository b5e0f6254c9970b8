// Scale-out: two app instances on one PostgreSQL. A video posted to instance B appears, live,
// on the /videos page a browser has open on instance A (live updates travel through
// PostgreSQL's LISTEN/NOTIFY, so no instance needs to know the others).
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expect, test, uniqueVideo } from "./fixtures";

let a: AppServer;
let b: AppServer;
let drop: () => Promise<void>;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_scale" });
  drop = db.drop;
  [a, b] = await Promise.all([startAppServer({ DATABASE_URL: db.url }), startAppServer({ DATABASE_URL: db.url })]);
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await drop?.();
});

test("a browser on instance A sees, without reloading, a video posted to instance B", async ({ page, request }) => {
  expect((await request.get(`${a.url}/videos`)).status()).toBe(200);

  // Live updates arrive over GET /api/stream: the page must open it, and say it is live.
  const streamOpened = page.waitForResponse((r) => r.url().includes("/api/stream"), { timeout: 15_000 });
  await page.goto(`${a.url}/videos`);
  expect((await streamOpened).status()).toBe(200);
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
  // A reload would lose this mark.
  await page.evaluate(() => ((window as unknown as { scaleOutMark: number }).scaleOutMark = 1));
  const video = uniqueVideo();
  const posted = await request.post(`${b.url}/api/callback`, { data: video });
  expect(posted.status()).toBe(200);

  await expect(page.getByText(video.data.fromNickName as string).first()).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => (window as unknown as { scaleOutMark?: number }).scaleOutMark), "the page must not have reloaded").toBe(1);
  // Both instances serve the same history.
  const onA = await (await request.get(`${a.url}/api/videos?fromWxId=${video.data.fromWxId}`)).json();
  expect(onA.items).toHaveLength(1);
});
