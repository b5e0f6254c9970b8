// npm run demo: the whole flow, live, on a fresh clone. Starts a stand-in WeChat CDN on
// 127.0.0.1, then the app exactly as `npm start` does (embedded PostgreSQL, under DATA_DIR,
// default .data/demo so real data is never mixed in), allowed to fetch from that CDN only, then
// posts a realistic 20004 callback every few seconds, as a provider would. A stand-in bot
// receives what the relay forwards (FORWARD_URLS, unless you set your own) and prints each
// forward: the dashboard in front of a bot. Ctrl-C stops it all.
import "./env";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../lib/config";
import { startStandInBot, type BotRequest } from "./demo/bot";
import { startStandInCdn, type StandInCdn } from "./demo/cdn";
import { demoCallback, loadClips, postCallback } from "./demo/provider";

const say = (line: string) => console.log(`[demo] ${line}`);
const INTERVAL_MS = Number(process.env.DEMO_INTERVAL_MS ?? 4000);
const FIRST_BURST = 6;

async function main() {
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: process.env.DATA_DIR || join(".data", "demo"), DATABASE_URL: "" };
  let cfg;
  try {
    cfg = parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const cdn = await startCdn();
  say(`stand-in WeChat CDN on ${cdn.origin} (AES-128-ECB encrypted and plain files)`);
  env.MEDIA_ALLOWED_HOSTS = cdn.hostEntry;
  const bot = env.FORWARD_URLS ? null : await startStandInBot({ secret: "demo-forward-secret", onRequest: (r) => say(botLine(r)) });
  if (bot) {
    env.FORWARD_URLS = bot.url;
    env.FORWARD_SECRET = "demo-forward-secret";
    say(`stand-in bot on ${bot.url}: the relay forwards every callback to it (see /forwarding)`);
  }

  // DATABASE_URL is "" rather than absent: absent, the launcher would take the one in `.env`.
  const app = spawn(process.execPath, [join("scripts", "start.mjs")], {
    stdio: "inherit",
    env: env as NodeJS.ProcessEnv,
  });
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(timer);
    say(`${signal}: stopping`);
    app.kill(signal);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  app.on("exit", async (code) => {
    await cdn.stop();
    await bot?.stop();
    process.exit(stopping ? 0 : (code ?? 1));
  });

  const host = cfg.HOST.includes(":") ? `[${cfg.HOST}]` : cfg.HOST;
  const appUrl = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${cfg.PORT}`;
  if (!(await healthy(appUrl, () => stopping))) return;
  say(`open ${appUrl} : a new video arrives every ${INTERVAL_MS / 1000} s. Ctrl-C stops everything.`);

  const clips = loadClips();
  let n = 0;
  const post = async () => {
    const envelope = demoCallback(cdn, clips, n++);
    const status = await postCallback(appUrl, envelope, cfg.CALLBACK_TOKEN).catch(() => 0);
    const d = envelope.data;
    const arrow = d.messageSource === 1 ? "robot →" : `${d.fromNickName} →`;
    say(`callback ${n}: ${arrow} ${d.conversationId} (${d.width}x${d.height}, ${d.duration} s): HTTP ${status || "unreachable"}`);
  };
  for (let i = 0; i < FIRST_BURST && !stopping; i++) await post();
  const tick = async () => {
    if (stopping) return;
    await post();
    timer = setTimeout(tick, INTERVAL_MS);
  };
  timer = setTimeout(tick, INTERVAL_MS);
}

function botLine(r: BotRequest): string {
  let what = `${r.body.length} bytes`;
  try {
    const { event, data } = JSON.parse(r.body.toString("utf8"));
    what = `event ${event}${data?.fromNickName ? ` from ${data.fromNickName}` : ""}`;
  } catch {}
  return `bot received delivery ${r.deliveryId}: ${what}, ${r.contentType}, signature ${r.signatureValid ? "valid" : "INVALID"}`;
}

/** The CDN on a stable port (DEMO_CDN_PORT, default 3901) so links from earlier runs keep their host; else any free port. */
async function startCdn(): Promise<StandInCdn> {
  const port = Number(process.env.DEMO_CDN_PORT ?? 3901);
  try {
    return await startStandInCdn(port);
  } catch {
    return startStandInCdn(0);
  }
}

/** Waits for the app (its first start builds it, which takes a minute or two). */
async function healthy(appUrl: string, stopped: () => boolean): Promise<boolean> {
  for (let waited = 0; !stopped(); waited += 500) {
    try {
      if ((await fetch(`${appUrl}/api/health`)).ok) return true;
    } catch {}
    if (waited > 0 && waited % 30_000 === 0) say("waiting for the app to start…");
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function fail(message: string): never {
  console.error(`[demo] ${message}`);
  process.exit(1);
}

await main();
