import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { createPool } from "../lib/db/client";
import { csvRecords, fillVideos } from "../test/support/export-readers";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { entryBytes, readZip } from "../test/support/zip-reader";
import { loadClips } from "../scripts/demo/provider";
import { expect, sameOrigin, test, uniqueVideo } from "./fixtures";

test("Export CSV (and NDJSON, JSON) on a filtered /videos page downloads exactly the videos on screen", async ({ page, request }) => {
  const nickName = 'Export, "quoted"\nnickname 张三';
  const first = uniqueVideo({ fromNickName: nickName, sendTime: Date.parse("2024-09-20T10:03:47.676Z") });
  const sender = first.data.fromWxId as string;
  const second = uniqueVideo({ fromWxId: sender, fromNickName: nickName, duration: 9 });
  const someoneElse = uniqueVideo();
  for (const video of [first, second, someoneElse]) expect((await request.post("/api/callback", { data: video })).status()).toBe(200);
  const listed = (await (await request.get(`/api/videos?fromWxId=${encodeURIComponent(sender)}`)).json()) as { items: { id: string }[] };
  expect(listed.items).toHaveLength(2);

  await page.goto(`/videos?fromWxId=${encodeURIComponent(sender)}`);
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;

  // The page's CSV is for Excel (bom=1&tz=local): a BOM, and times in the dashboard's zone with the
  // offset, the time it was taken too; scripts asking for neither get UTC (lib/export/excel.test.ts).
  expect(download.suggestedFilename()).toMatch(new RegExp(`^videos_fromWxId-${sender}_\\d{4}-\\d{2}-\\d{2}T\\d{6}(Z|[+-]\\d{4})\\.csv$`));
  const bytes = await readFile((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = csvRecords(bytes.subarray(3).toString("utf8"));
  expect(rows.map((r) => r.id)).toEqual(listed.items.map((i) => i.id));
  expect(rows.every((r) => r.fromWxId === sender && r.fromNickName === nickName)).toBe(true);
  expect(rows.at(-1)).toMatchObject({ sendTime: expect.stringMatching(/^2024-09-2\dT\d\d:\d\d:47[+-]\d\d:\d\d$/), duration: "3", direction: "in" });
  expect(Date.parse(rows.at(-1)!.sendTime!)).toBe(Date.parse("2024-09-20T10:03:47Z"));
  expect(Object.keys(rows[0]).filter((k) => /aes_key|auth_key/.test(k))).toEqual([]);

  // The other formats hold the same videos.
  for (const [name, parse] of [
    ["Export NDJSON", (text: string) => text.trim().split("\n").map((line) => JSON.parse(line))],
    ["Export JSON", (text: string) => JSON.parse(text)],
  ] as const) {
    const other = page.waitForEvent("download");
    await page.getByRole("link", { name }).click();
    const objects = parse(await readFile((await (await other).path())!, "utf8")) as { id: string; fromNickName: string }[];
    expect(objects.map((o) => o.id)).toEqual(listed.items.map((i) => i.id));
    expect(objects.every((o) => o.fromNickName === nickName)).toBe(true);
  }
});

test("Export ZIP on /videos: videos.csv, the archived video, and missing.csv, in a zip that Python's zipfile reads", async ({ page, request, baseURL }) => {
  const [clip] = loadClips();
  const video = uniqueVideo({ fromNickName: "压缩包 测试" });
  video.data.cdnData = { ...video.data.cdnData, md5: createHash("md5").update(clip.video).digest("hex"), size: clip.video.length };
  expect((await request.post("/api/callback", { data: video })).status()).toBe(200);
  const sender = video.data.fromWxId as string;
  const [{ id }] = ((await (await request.get(`/api/videos?fromWxId=${sender}`)).json()) as { items: { id: string }[] }).items;
  // An uploaded file is an archived one (issue 25): it goes into the zip.
  expect((await request.put(`/api/media/${id}/video`, { data: clip.video, headers: sameOrigin(baseURL) })).status()).toBe(201);

  await page.goto(`/videos?fromWxId=${sender}`);
  const link = page.getByRole("link", { name: "Export ZIP" });
  await expect(link).toHaveAttribute("href", `/api/export?format=zip&fromWxId=${sender}`);
  await expect(link).toHaveAttribute("title", "The CSV with the archived videos and previews, in one zip");
  const downloading = page.waitForEvent("download");
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(new RegExp(`^videos_fromWxId-${sender}_\\d{4}-\\d{2}-\\d{2}T\\d{6}Z\\.zip$`));

  const zip = await readZip((await download.path())!);
  expect(zip.entries.map((e) => e.name)).toEqual(["videos.csv", `videos/${id}.mp4`, "missing.csv"]);
  expect(zip.entries.every((e) => (e.flags & 0x800) === 0x800)).toBe(true);
  expect(Buffer.from(entryBytes(zip, `videos/${id}.mp4`)).equals(clip.video)).toBe(true);
  const csv = (await (await request.get(`/api/export?format=csv&fromWxId=${sender}`)).body()).toString("utf8");
  expect(entryBytes(zip, "videos.csv").toString("utf8")).toBe(csv);
  expect(csvRecords(entryBytes(zip, "missing.csv").toString("utf8"))).toMatchObject([{ id, kind: "preview" }]);

  // The same link in Chinese says what it holds in Chinese.
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "zh-CN", url: baseURL! }]);
  await page.goto(`/videos?fromWxId=${sender}`);
  await expect(page.getByRole("link", { name: "导出 ZIP" })).toHaveAttribute("title", "CSV 及已存档的视频和预览图，打包为一个 zip");
});

test("GET /api/export answers bad parameters with a clear 400, and streams an attachment per format", async ({ request }) => {
  const bad = await request.get("/api/export?format=xlsx&from=2024-10-01&to=2024-09-01");
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toBe("bad parameters: format: must be one of csv, ndjson, json, zip; from: from is after to");
  expect((await request.get("/api/export?to=soon")).status()).toBe(400);
  const gzippedZip = await request.get("/api/export?format=zip&gzip=1");
  expect(gzippedZip.status()).toBe(400);
  expect((await gzippedZip.json()).error).toBe("bad parameters: gzip: does not apply to format=zip");

  const video = uniqueVideo();
  await request.post("/api/callback", { data: video });
  const sender = encodeURIComponent(video.data.fromWxId as string);
  const ndjson = await request.get(`/api/export?format=ndjson&fromWxId=${sender}`);
  expect(ndjson.headers()["content-type"]).toBe("application/x-ndjson; charset=utf-8");
  expect(ndjson.headers()["content-disposition"]).toMatch(/^attachment; filename="videos_fromWxId-.*\.ndjson"/);
  expect(JSON.parse((await ndjson.text()).trim())).toMatchObject({ fromWxId: video.data.fromWxId });
  const json = await request.get(`/api/export?format=json&includeSecrets=1&fromWxId=${sender}`);
  expect(await json.json()).toMatchObject([{ fromWxId: video.data.fromWxId, cdn_aes_key: video.data.cdnData.aes_key }]);
  const zipped = await request.get(`/api/export?format=csv&gzip=1&fromWxId=${sender}`);
  expect(zipped.headers()["content-type"]).toBe("application/gzip");
  expect(zipped.headers()["content-disposition"]).toMatch(/\.csv\.gz"/);
  expect(csvRecords(gunzipSync(await zipped.body()).toString())).toMatchObject([{ fromWxId: video.data.fromWxId }]);
});

test.describe("a client that aborts an export", () => {
  let app: AppServer;
  let drop: () => Promise<void>;
  let databaseUrl: string;

  test.beforeAll(async () => {
    const db = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix: "vd_e2e_export" });
    drop = db.drop;
    databaseUrl = db.url;
    const pool = createPool(db.url, 1);
    await fillVideos(pool, 20_000);
    await pool.end();
    app = await startAppServer({ DATABASE_URL: db.url, EXPORT_CONCURRENCY: "1" });
  });
  test.afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  test("stops the query on the server and frees its connection and its export slot", async () => {
    const admin = new pg.Client(databaseUrl);
    await admin.connect();
    const runningCopies = async () =>
      (
        await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND query LIKE 'COPY (SELECT %'`,
        )
      ).rows[0].n;
    try {
      const aborting = new AbortController();
      const res = await fetch(`${app.url}/api/export?format=csv`, { signal: aborting.signal });
      const first = await res.body!.getReader().read();
      expect(first.value!.length).toBeGreaterThan(0);
      expect(await runningCopies()).toBe(1);
      const refused = await fetch(`${app.url}/api/export?format=csv`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("10");
      aborting.abort();
      await expect.poll(runningCopies).toBe(0);
      // The server still exports in full afterwards.
      const whole = await fetch(`${app.url}/api/export?format=ndjson&fromWxId=wxid_7`);
      expect((await whole.text()).trim().split("\n")).toHaveLength(20);
    } finally {
      await admin.end();
    }
  });
});
