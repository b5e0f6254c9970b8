import { startAppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expect, test, uniqueVideo } from "./fixtures";

test("a posted video is stored, listed by the API and shown on the overview", async ({ page, request }) => {
  const video = uniqueVideo();
  const posted = await request.post("/api/callback", { data: video });
  expect(posted.status()).toBe(200);
  expect(await posted.json()).toEqual({});

  const listed = await request.get(`/api/videos?fromWxId=${video.data.fromWxId}`);
  const { items } = await listed.json();
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({ fromWxId: video.data.fromWxId, fromNickName: video.data.fromNickName, duration: 3 });

  await page.goto("/");
  // Its sender's nickname on its card (the group's name, from its participants' nicknames, says it too).
  await expect(page.getByTestId("sender-nickname").filter({ hasText: video.data.fromNickName as string })).toBeVisible();
});

// Its own server on its own database: the shared one is "degraded" once a video posted by an
// earlier test has waited 10 minutes for a CDN this machine cannot reach (the media archive).
test("the callback answers bad input with a clear error, and the health check is ok", async ({ playwright }) => {
  test.setTimeout(120_000);
  const database = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_smoke" });
  const app = await startAppServer({ DATABASE_URL: database.url });
  const request = await playwright.request.newContext({ baseURL: app.url });
  try {
    const bad = await request.post("/api/callback", { data: "not json", headers: { "content-type": "text/plain" } });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).error).toMatch(/not JSON/);
    const health = await request.get("/api/health");
    expect(await health.json()).toMatchObject({ status: "ok", database: "ok", spoolDepth: 0 });
  } finally {
    await request.dispose();
    await app.stop();
    await database.drop();
  }
});
