// npm run screenshots: the README's pictures, taken from the demo as a user sees it. Runs
// `npm run demo` (its own DATA_DIR and embedded PostgreSQL, a free port, a video every second),
// waits for a dozen videos, then photographs the main pages in Chinese and in English at
// 1440 px (and the video list at 390 px) into docs/screenshot-<page>-<lang>.png. Needs a build
// (`npm run build`; the demo builds one when there is none) and Chromium (scripts/ensure-chromium.sh).
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Page } from "@playwright/test";
import { freePort } from "../lib/db/embedded";

const PAGES: { name: string; path: (firstVideo: string, firstConversation: string) => string; phone?: boolean }[] = [
  { name: "overview", path: () => "/" },
  { name: "videos", path: () => "/videos", phone: true },
  { name: "video", path: (id) => `/videos/${id}` },
  { name: "conversation", path: (_id, conversation) => `/conversations/${encodeURIComponent(conversation)}` },
  { name: "forwarding", path: () => "/forwarding" },
];
const LANGUAGES = [
  { lang: "zh", locale: "zh-CN" },
  { lang: "en", locale: "en-US" },
];

async function main() {
  // Under .data, as the demo's own: run as root, the embedded PostgreSQL (user postgres) cannot enter a private temporary directory.
  const dataDir = join(".data", `screenshots-${process.pid}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const port = await freePort();
  const cdnPort = await freePort();
  const demo = spawn(process.execPath, ["--import", "tsx", join("scripts", "demo.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
    // The zone most of our users read the dashboard in (UTC+8).
    env: { ...process.env, TZ: "Asia/Shanghai", DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", DEMO_INTERVAL_MS: "1000", DEMO_CDN_PORT: String(cdnPort), DASHBOARD_PASSWORD: "", FORWARD_URLS: "" },
  });
  demo.stdout.resume();
  const base = `http://127.0.0.1:${port}`;
  try {
    const videos = await waitForVideos(base, 12, () => demo.exitCode !== null);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      for (const { lang, locale } of LANGUAGES) {
        for (const page of PAGES) {
          const path = page.path(videos[0].id, videos[0].conversationId);
          await shoot(browser, locale, { width: 1440, height: 900 }, `${base}${path}`, `docs/screenshot-${page.name}-${lang}.png`);
          if (page.phone) await shoot(browser, locale, { width: 390, height: 844 }, `${base}${path}`, `docs/screenshot-${page.name}-phone-${lang}.png`);
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    if (demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once("exit", resolve));
      demo.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function shoot(browser: Awaited<ReturnType<typeof chromium.launch>>, locale: string, viewport: { width: number; height: number }, url: string, file: string) {
  const context = await browser.newContext({ locale, viewport, timezoneId: "Asia/Shanghai", deviceScaleFactor: 1 });
  try {
    const page: Page = await context.newPage();
    await page.goto(url, { waitUntil: "networkidle" });
    // Previews come from the stand-in CDN on first view: wait until every image has loaded.
    // (lazy images below the fold never load: only those on screen count.)
    await page.waitForFunction(
      () => [...document.images].filter((img) => img.getBoundingClientRect().top < window.innerHeight).every((img) => img.complete),
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: file, fullPage: false });
    console.log(`[screenshots] ${file}`);
  } finally {
    await context.close();
  }
}

async function waitForVideos(base: string, count: number, demoExited: () => boolean): Promise<{ id: string; conversationId: string }[]> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (demoExited()) throw new Error("the demo exited (its output is above)");
    try {
      const res = await fetch(`${base}/api/videos?limit=${count}`);
      if (res.ok) {
        const { items } = (await res.json()) as { items: { id: string; conversationId: string }[] };
        if (items.length >= count) return items;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the demo did not store ${count} videos in 5 minutes`);
}

await main();
