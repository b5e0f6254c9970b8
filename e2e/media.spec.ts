// The media proxy through a real server and a real browser: an encrypted WeChat CDN link
// (on a stand-in CDN) plays in Chromium, seeks, and is served from the cache the second time;
// refusals come back as JSON reasons and show as such in the page.
import { randomBytes } from "node:crypto";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { startStandInCdn, type StandInCdn } from "../scripts/demo/cdn";
import { loadClips } from "../scripts/demo/provider";
import { expect, sameOrigin, test as base, uniqueVideo } from "./fixtures";

const [clip, otherClip] = loadClips();
let cdn: StandInCdn;

// One stand-in CDN and one app server on its own database per worker; this server may fetch from
// that CDN, named by host AND port in MEDIA_ALLOWED_HOSTS: the only way loopback becomes fetchable.
const test = base.extend<object, { mediaApp: AppServer }>({
  mediaApp: [
    async ({}, use) => {
      cdn = await startStandInCdn();
      // Its own database: the shared server's media archive would take these videos' jobs too and,
      // not allowed this CDN, record them failed (host_not_allowed) before this server could fetch.
      const database = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_media" });
      const app = await startAppServer({ DATABASE_URL: database.url, MEDIA_ALLOWED_HOSTS: cdn.hostEntry });
      await use(app);
      await app.stop();
      await cdn.stop();
      await database.drop();
    },
    { scope: "worker", timeout: 90_000 },
  ],
  baseURL: async ({ mediaApp }, use) => use(mediaApp.url),
});

type Posted = { id: string; videoUrl: string };

/** Posts a 20004 whose cdnData is given, through the callback, and returns the stored id. */
async function post(request: import("@playwright/test").APIRequestContext, cdnData: Record<string, unknown>): Promise<Posted> {
  const video = uniqueVideo({ width: clip.width, height: clip.height, duration: 3 });
  video.data.cdnData = { ...video.data.cdnData, preview_img_url: null, preview_img_size: null, md5: null, size: null, ...cdnData };
  expect((await request.post("/api/callback", { data: video })).status()).toBe(200);
  const { items } = await (await request.get(`/api/videos?fromWxId=${video.data.fromWxId}`)).json();
  return { id: items[0].id, videoUrl: video.data.cdnData.url as string };
}

async function encryptedVideo(request: import("@playwright/test").APIRequestContext) {
  const key = randomBytes(16);
  const video = cdn.publish(clip.video, { key });
  const preview = cdn.publish(clip.preview, { key });
  const posted = await post(request, { url: video.url, aes_key: key.toString("hex"), md5: video.md5, size: video.size, preview_img_url: preview.url, preview_img_size: preview.size });
  return { ...posted, previewUrl: preview.url };
}

test("an encrypted video plays in Chromium, seeks, and is served from the cache the second time", async ({ page, request }) => {
  const { id, videoUrl } = await encryptedVideo(request);
  const statuses: number[] = [];
  page.on("response", (res) => {
    if (res.url().endsWith(`/api/media/${id}/video`)) statuses.push(res.status());
  });
  await page.goto(`/watch/${id}`);
  const player = page.getByTestId("video-player");
  await expect(player).toBeVisible();

  const started = await player.evaluate(async (el) => {
    const v = el as HTMLVideoElement;
    v.muted = true;
    await v.play();
    await new Promise<void>((resolve) => {
      const check = () => (v.currentTime > 0.5 ? resolve() : requestAnimationFrame(check));
      check();
    });
    return v.currentTime;
  });
  expect(started).toBeGreaterThan(0.5);

  const seeked = await player.evaluate(async (el) => {
    const v = el as HTMLVideoElement;
    v.pause();
    const done = new Promise((r) => v.addEventListener("seeked", r, { once: true }));
    v.currentTime = 2.2;
    await done;
    return { currentTime: v.currentTime, duration: v.duration };
  });
  expect(seeked.currentTime).toBeCloseTo(2.2, 1);
  expect(seeked.duration).toBeCloseTo(3, 0);
  // The player asked for ranges, and got them.
  expect(statuses).toContain(206);

  // Second view: a fresh page, the CDN is not asked again.
  await page.reload();
  await expect(page.getByTestId("video-player")).toBeVisible();
  const again = await request.get(`/api/media/${id}/video`);
  expect(again.status()).toBe(200);
  expect(Buffer.from(await again.body())).toEqual(clip.video);
  expect(cdn.hits(videoUrl)).toBe(1);
});

test("the media endpoints answer with the real type, ranges, ETag and a download name", async ({ request }) => {
  const { id, previewUrl } = await encryptedVideo(request);
  const range = await request.get(`/api/media/${id}/video`, { headers: { Range: "bytes=4-11" } });
  expect(range.status()).toBe(206);
  expect(range.headers()["content-type"]).toBe("video/mp4");
  expect(range.headers()["content-range"]).toBe(`bytes 4-11/${clip.video.length}`);
  expect(range.headers()["referrer-policy"]).toBe("no-referrer");
  expect(Buffer.from(await range.body()).toString("latin1")).toBe("ftypisom");
  const etag = range.headers()["etag"];
  expect((await request.get(`/api/media/${id}/video`, { headers: { "If-None-Match": etag } })).status()).toBe(304);

  const preview = await request.get(`/api/media/${id}/preview`);
  expect(preview.headers()["content-type"]).toBe("image/jpeg");
  expect(Buffer.from(await preview.body())).toEqual(clip.preview);
  expect(cdn.hits(previewUrl)).toBe(1);

  const head = await request.head(`/api/media/${id}/video`);
  expect(head.status()).toBe(200);
  // Next.js drops Content-Length from route handler answers; Content-Range carries sizes.
  expect(head.headers()["etag"]).toBe(etag);
  expect((await head.body()).length).toBe(0);

  const download = await request.get(`/api/media/${id}/video?download=1`);
  expect(download.headers()["content-disposition"]).toBe(`attachment; filename="video-${id}.mp4"`);
});

test("refusals are JSON reasons, and the page shows them instead of a broken player", async ({ page, request }) => {
  const notAllowed = await post(request, { url: "https://evil.example.com/video.mp4" });
  const refused = await request.get(`/api/media/${notAllowed.id}/video`);
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ reason: "host_not_allowed", error: expect.stringMatching(/not in MEDIA_ALLOWED_HOSTS/) });

  const metadata = await post(request, { url: "http://169.254.169.254/latest/meta-data/" });
  expect((await (await request.get(`/api/media/${metadata.id}/video`)).json()).reason).toBe("host_not_allowed");

  const video = cdn.publish(clip.video);
  const mismatch = await post(request, { url: video.url, aes_key: video.aes_key, md5: "0".repeat(32) });
  const bad = await request.get(`/api/media/${mismatch.id}/video`);
  expect(bad.status()).toBe(502);
  expect((await bad.json()).reason).toBe("md5_mismatch");

  expect((await (await request.get(`/api/media/${notAllowed.id}/preview`)).json()).reason).toBe("no_link");
  expect((await request.get(`/api/media/987654321/video`)).status()).toBe(404);
  expect((await request.get(`/api/media/1/thumbnail`)).status()).toBe(404);

  const expired = await post(request, { url: cdn.expired(), aes_key: randomBytes(16).toString("hex"), preview_img_url: cdn.expired() });
  const gone = await request.get(`/api/media/${expired.id}/video`);
  expect(gone.status()).toBe(502);
  expect((await gone.json()).reason).toBe("link_expired");
  await page.goto(`/watch/${expired.id}`);
  await expect(page.getByTestId("video-unavailable")).toContainText(/expired/);
  await expect(page.getByTestId("preview-unavailable")).toContainText(/Preview unavailable: .*expired/);
  await expect(page.locator("img")).toHaveCount(0);
});

test("a file fetched by the provider's download API can be uploaded for its event, md5-checked", async ({ request, baseURL }) => {
  const md5 = cdn.publish(clip.video, { encrypted: false }).md5;
  const { id } = await post(request, { url: cdn.expired(), md5, size: clip.video.length });
  const wrong = await request.put(`/api/media/${id}/video`, { data: otherClip.video, headers: sameOrigin(baseURL) });
  expect(wrong.status()).toBe(422);
  expect((await wrong.json()).reason).toBe("md5_mismatch");
  const stored = await request.put(`/api/media/${id}/video`, { data: clip.video, headers: sameOrigin(baseURL) });
  expect(stored.status()).toBe(201);
  expect(await stored.json()).toMatchObject({ contentType: "video/mp4", bytes: clip.video.length });
  const served = await request.get(`/api/media/${id}/video`);
  expect(served.status()).toBe(200);
  expect(Buffer.from(await served.body())).toEqual(clip.video);
});
