// Live latency: from POST /api/callback to the `video` event on an open GET /api/stream, at a
// steady 200 callbacks per second; and, one at a time, from POST to the card on a filtered
// /videos page in Chromium (the goal e2e/dashboard-live.spec.ts no longer times).
// `npx tsx bench/live.ts [--quick]`
import http from "node:http";
import { chromium } from "@playwright/test";
import { post } from "./lib/load";
import { type Figure, section } from "./lib/report";
import { appServer, type BenchOptions, callbackBodies, freshDatabase } from "./lib/setup";
import { runStandalone } from "./lib/standalone";
import { startProfiledServer, summariseProfile } from "./lib/profile";
import { type LatencySummary, summarise } from "./lib/stats";

const RATE = 200;

type Stream = { status: number; close: () => void };

/** Opens the event stream and calls `onVideo` with each `video` event's data. */
function openStream(url: string, onVideo: (data: Record<string, unknown>) => void): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: "text/event-stream" } }, (res) => {
      const close = () => req.destroy();
      if (res.statusCode !== 200) {
        res.resume();
        resolve({ status: res.statusCode ?? 0, close });
        return;
      }
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = message.split("\n");
          const event = lines.find((l) => l.startsWith("event:"))?.slice(6).trim() ?? "message";
          const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
          if (event !== "video" || !data) continue;
          try {
            onVideo(JSON.parse(data));
          } catch {}
        }
      });
      res.on("error", () => {});
      resolve({ status: 200, close });
    });
    req.on("error", reject);
  });
}

type LiveRun = {
  /** 404: the app has no stream. */
  status: number;
  sent: number;
  statuses: Record<string, number>;
  seen: number;
  missed: number;
  live: LatencySummary;
  livePath: LatencySummary;
  callback: LatencySummary;
};

/** One SSE client on `baseUrl`, and callbacks at RATE per second for `seconds`, measured. */
async function measureLive(baseUrl: string, seconds: number): Promise<LiveRun> {
  const runTag = `live${Date.now().toString(36)}`;
  const bodies = callbackBodies(runTag);
  const sentAt = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const seenAfter: number[] = [];
  // The live path alone: from the callback's 200 to the event (negative when the event wins).
  const seenAfterAnswer: number[] = [];
  const seenAt = new Map<string, number>();
  const stream = await openStream(`${baseUrl}/api/stream`, (item) => {
    const key = String(item.serverId ?? "");
    const t0 = sentAt.get(key);
    if (t0 !== undefined) {
      const now = performance.now();
      seenAfter.push(now - t0);
      seenAt.set(key, now);
      sentAt.delete(key);
    }
  });
  const answered: number[] = [];
  const statuses: Record<string, number> = {};
  let nextSeq = 0;
  let sent = 0;
  if (stream.status !== 200) {
    stream.close();
    if (stream.status === 404) return { status: 404, sent, statuses, seen: 0, missed: 0, live: summarise([]), livePath: summarise([]), callback: summarise([]) };
    throw new Error(`GET /api/stream answered ${stream.status}`);
  }
  await new Promise((r) => setTimeout(r, 500));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  // Open loop: callbacks go out on schedule whether or not earlier ones were answered.
  async function drive(durationS: number, measured: boolean): Promise<void> {
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let due = 0; performance.now() - started < durationS * 1000; await new Promise((r) => setTimeout(r, 2))) {
      for (const target = Math.floor(((performance.now() - started) / 1000) * RATE); due < target; due++) {
        const seq = nextSeq++;
        if (measured) sent++;
        const t0 = performance.now();
        const key = `${runTag}-${seq}`;
        if (measured) sentAt.set(key, t0);
        pending.push(
          post(`${baseUrl}/api/callback`, bodies(seq), agent).then((status) => {
            if (!measured) return;
            answered.push(performance.now() - t0);
            answeredAt.set(key, performance.now());
            statuses[status] = (statuses[status] ?? 0) + 1;
          }),
        );
      }
    }
    await Promise.all(pending);
  }
  // A freshly started server loads and compiles its route code on the first requests: 5 s at the
  // same rate first, not counted, as a server that has been running would be.
  await drive(5, false);
  await new Promise((r) => setTimeout(r, 1000));
  await drive(seconds, true);
  const waitUntil = performance.now() + 5000;
  while (sentAt.size > 0 && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
  stream.close();
  agent.destroy();
  for (const [key, at] of seenAt) {
    const answer = answeredAt.get(key);
    if (answer !== undefined) seenAfterAnswer.push(at - answer);
  }
  return {
    status: 200, sent, statuses, seen: seenAfter.length, missed: sentAt.size,
    live: summarise(seenAfter), livePath: summarise(seenAfterAnswer), callback: summarise(answered),
  };
}

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** POST /api/callback to the card on an open `/videos?fromWxId=` page, one video at a time. */
async function measureCard(baseUrl: string, samples: number): Promise<{ card: number[]; answer: number[] }> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const tag = `card${Date.now().toString(36)}`;
    const bodies = callbackBodies(tag);
    await page.goto(`${baseUrl}/videos?fromWxId=${tag}`);
    await page.locator('[data-testid="live-indicator"][data-status="live"]').waitFor({ timeout: 30_000 });
    const agent = new http.Agent({ keepAlive: true });
    const card: number[] = [];
    const answer: number[] = [];
    for (let i = 0; i < samples; i++) {
      const body = bodies(i).replace(/"fromWxId":"[^"]*"/, `"fromWxId":"${tag}"`);
      const t0 = performance.now();
      const status = await post(`${baseUrl}/api/callback`, body, agent);
      answer.push(performance.now() - t0);
      if (status !== "200") throw new Error(`callback answered ${status}`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="video-card"]').length >= n, i + 1, { timeout: 30_000, polling: "raf" });
      card.push(performance.now() - t0);
    }
    agent.destroy();
    return { card, answer };
  } finally {
    await browser.close();
  }
}

export async function run(options: BenchOptions): Promise<Figure[]> {
  const seconds = options.quick ? 3 : 10;
  section(`live: callback to SSE client at ${RATE} callbacks/s for ${seconds} s`);
  const databaseUrl = await freshDatabase("vd_bench_live");
  const server = await appServer(databaseUrl);
  const { status, sent, statuses, seen, missed, live, livePath, callback } = await measureLive(server.url, seconds);
  if (status === 404) {
    console.log("GET /api/stream: not available (404), skipped");
    return [{ bench: "live", name: "callback to SSE p95", value: NaN, unit: "ms", goal: "< 250 ms", met: null, note: "not available (404)" }];
  }
  console.log(`sent ${sent} callbacks (${JSON.stringify(statuses)}); ${seen} seen on the stream, ${missed} not within 5 s`);
  console.log(`callback -> SSE: p50 ${live.p50.toFixed(1)} ms, p95 ${live.p95.toFixed(1)} ms, p99 ${live.p99.toFixed(1)} ms; callback answered: p50 ${callback.p50.toFixed(1)} ms, p95 ${callback.p95.toFixed(1)} ms`);
  console.log(`200 answer -> SSE (the live path alone): p50 ${livePath.p50.toFixed(1)} ms, p95 ${livePath.p95.toFixed(1)} ms`);
  const met = live.p95 < 250 && missed === 0;

  // When the goal is missed, show where the server's time goes under the same load.
  if (options.profile || !met) {
    console.log(`profiling the server under the same load (node --cpu-prof), ${seconds} s...`);
    const profiled = await startProfiledServer({ DATABASE_URL: databaseUrl });
    const again = await measureLive(profiled.url, seconds);
    console.log(`  (profiled run: callback -> SSE p95 ${again.live.p95.toFixed(1)} ms, callback answered p95 ${again.callback.p95.toFixed(1)} ms)`);
    for (const line of summariseProfile(await profiled.stop())) console.log(`  ${line}`);
  }
  const samples = options.quick ? 5 : 15;
  const { card, answer } = await measureCard(server.url, samples);
  const toCard = summarise(card);
  const answered = summarise(answer);
  console.log(`POST -> card in Chromium (${samples} videos, one at a time): median ${toCard.p50.toFixed(0)} ms, max ${toCard.max.toFixed(0)} ms; callback answered: median ${answered.p50.toFixed(0)} ms`);
  return [
    {
      bench: "live", name: "POST to card on a filtered /videos page, median", value: toCard.p50, unit: "ms",
      baseline: { label: "callback answer median ms", value: answered.p50 }, ratio: toCard.p50 / answered.p50,
      goal: "each < 2,000 ms", met: toCard.max < 2000,
      note: `max ${toCard.max.toFixed(0)} ms over ${samples}`,
    },
    {
      bench: "live", name: `callback to SSE p95 at ${RATE}/s`, value: live.p95, unit: "ms",
      baseline: { label: "callback answer p95 ms", value: callback.p95 }, ratio: live.p95 / callback.p95,
      goal: "< 250 ms, none missed", met,
      note: missed ? `${missed} of ${sent} never arrived on the stream` : undefined,
    },
    {
      bench: "live", name: "200 answer to SSE event p95 (live path alone)", value: livePath.p95, unit: "ms",
      baseline: { label: "callback to SSE p95 ms", value: live.p95 }, ratio: livePath.p95 / live.p95,
      goal: "(diagnostic)", met: null, note: "no goal: splits the latency into ingest queueing and the live path",
    },
  ];
}

await runStandalone(import.meta.url, run);
