// The relay against real processes: `next start` (after `next build`) with FORWARD_URLS pointing
// at a stand-in bot on a local port, the machine's PostgreSQL, real kills. What the bot sees is
// what is checked: every delivery, byte-identical, signed, in the order the provider was answered,
// and a delivery seen twice only as a redelivery with the same X-Delivery-Id.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { startStandInBot, type BotRequest, type StandInBot } from "../scripts/demo/bot";
import { health, killAppHard, startRestartablePostgres, waitFor } from "./durability-helpers";
import { startAppServer, type AppServer } from "./support/app-server";
import { createDatabase } from "./support/postgres";

const TOKEN = "relay-callback-token";
const SECRET = "relay-forward-secret";
const example = JSON.parse(readFileSync(new URL("./fixtures/provider-example-20004.json", import.meta.url), "utf8"));

let bot: StandInBot;
const apps: AppServer[] = [];
const drops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  bot = await startStandInBot({ secret: SECRET });
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  bot.received.length = 0;
  bot.answer(200);
  await bot.up().catch(() => {});
});
afterAll(async () => {
  await bot.stop();
  for (const drop of drops) await drop();
});

async function database() {
  const db = await createDatabase(inject("pgAdminUrl"), { template: inject("pgTemplate") });
  drops.push(db.drop);
  return db.url;
}

async function app(databaseUrl: string, dataDir?: string): Promise<AppServer> {
  const server = await startAppServer({
    DATABASE_URL: databaseUrl,
    CALLBACK_TOKEN: TOKEN,
    FORWARD_URLS: bot.url,
    FORWARD_SECRET: SECRET,
    FORWARD_TIMEOUT_MS: "3000",
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
  });
  apps.push(server);
  return server;
}

/** Delivery n: a 20004 (unique message), another event code, or a body that is not JSON; odd spacing and Chinese text. */
function body(n: number): Buffer {
  if (n % 5 === 3) return Buffer.from(`{"event":"20005" , "description":"好友请求 ${n}","time":1732500000000,"data":{"n":${n}}}`);
  if (n % 11 === 7) return Buffer.from(`not json ${n} ✗`);
  const e = structuredClone(example);
  e.data.serverId = `fwd-${n}-${Math.random().toString(36).slice(2)}`;
  e.data.fromNickName = `用户 ${n}`;
  return Buffer.from(JSON.stringify(e, null, n % 2 ? 2 : undefined));
}

async function post(server: AppServer, b: Buffer): Promise<number> {
  const res = await fetch(`${server.url}/api/callback?token=${TOKEN}`, { method: "POST", body: new Uint8Array(b), headers: { "content-type": "application/json" } });
  await res.arrayBuffer();
  return res.status;
}

/** The deliveries the app recorded, in id order (= the order they were posted: one at a time). */
async function recorded(databaseUrl: string): Promise<{ id: string; body: string }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(`SELECT id::text AS id, body FROM deliveries d WHERE "httpStatus" <> 413 ORDER BY d.id`)).rows;
  } finally {
    await client.end();
  }
}

/** What a bot must have seen: each delivery, first time in order, byte-identical; repeats only of an id already seen, same bytes. */
function expectFaithful(received: BotRequest[], sent: { id: string; body: Buffer }[]) {
  const firstSeen: string[] = [];
  const bodies = new Map(sent.map((s) => [s.id, s.body]));
  for (const r of received) {
    expect(r.body.toString("utf8"), `delivery ${r.deliveryId} byte-identical`).toBe(bodies.get(r.deliveryId)?.toString("utf8"));
    expect(bodies.get(r.deliveryId)?.equals(r.body), `delivery ${r.deliveryId} byte-identical`).toBe(true);
    expect(r.signatureValid, `delivery ${r.deliveryId} signed with FORWARD_SECRET`).toBe(true);
    expect(JSON.stringify(r.headers)).not.toContain(TOKEN);
    if (!firstSeen.includes(r.deliveryId)) firstSeen.push(r.deliveryId);
  }
  expect(firstSeen).toEqual(sent.map((s) => s.id));
}

/** The sum of a metric's samples on /api/metrics, over the samples whose labels include `label`. */
async function metric(server: AppServer, name: string, label = ""): Promise<number> {
  const text = await (await fetch(`${server.url}/api/metrics`)).text();
  const samples = text.split("\n").filter((l) => l.startsWith(`${name}{`) && l.includes(label));
  return samples.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

const everyDelivered = (sent: { id: string }[]) => async () => sent.every((s) => bot.received.some((r) => r.deliveryId === s.id)) || undefined;

describe("forwarding through the running app", () => {
  it("the bot down for 30 s, then back: it receives every delivery, byte-identical, in order; a 400 is failed and not retried", async () => {
    const url = await database();
    const server = await app(url);
    await bot.down();
    const bodies: Buffer[] = [];
    const downUntil = Date.now() + 30_000;
    for (let n = 0; Date.now() < downUntil; n++) {
      const b = body(n);
      bodies.push(b);
      expect(await post(server, b)).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 250));
    }
    const refused = bodies[5];
    bot.answer((r) => (r.body.equals(refused) ? 400 : 200));
    await bot.up();
    const sent = (await recorded(url)).map((d, i) => ({ id: d.id, body: bodies[i] }));
    expect(sent).toHaveLength(bodies.length);
    await waitFor("every delivery at the bot", everyDelivered(sent), 120_000, 200);
    expectFaithful(bot.received, sent);
    // The 400 was asked once and is failed for good: one attempt, no next one. Had it been taken
    // for retryable, the deliveries after it would still be waiting behind it, not at the bot.
    expect(bot.received.filter((r) => r.body.equals(refused))).toHaveLength(1);
    const state = await (await fetch(`${server.url}/api/deliveries/${sent[5].id}`)).json();
    expect(state.forwarding).toMatchObject([{ state: "failed", status: 400, attempts: 1, nextAttemptAt: null, answer: expect.stringContaining("400") }]);
    expect((await (await fetch(`${server.url}/api/deliveries/${sent[6].id}`)).json()).forwarding).toMatchObject([{ state: "delivered", status: 200 }]);
    // What an operator's Prometheus sees of the same run: the retries while the bot was down, the
    // one failure, a delivery and a latency for every other, and an empty backlog once caught up.
    await waitFor("forward_backlog back to 0", async () => (await metric(server, "forward_backlog")) === 0 || undefined, 30_000, 200);
    expect(await metric(server, "forward_attempts_total", 'outcome="failed"')).toBe(1);
    expect(await metric(server, "forward_attempts_total", 'outcome="delivered"')).toBe(sent.length - 1);
    expect(await metric(server, "forward_attempts_total", 'outcome="retry"')).toBeGreaterThan(0);
    expect(await metric(server, "forward_latency_seconds_count")).toBeGreaterThanOrEqual(sent.length);
  }, 240_000);

  it("the app killed with SIGKILL while forwarding: after the restart nothing is missing, and the order holds", async () => {
    const url = await database();
    const server = await app(url);
    // A slow bot, so that forwarding is still going when the app dies.
    bot.answer(() => new Promise((resolve) => setTimeout(() => resolve(200), 60)));
    const bodies: Buffer[] = [];
    for (let n = 0; n < 150; n++) {
      bodies.push(body(n));
      expect(await post(server, bodies[n])).toBeLessThan(500);
    }
    await waitFor("forwarding under way", async () => bot.received.length > 5 || undefined, 30_000, 20);
    expect(killAppHard(server.dataDir)).toBeGreaterThan(0);
    const sent = (await recorded(url)).map((d, i) => ({ id: d.id, body: bodies[i] }));
    expect(bot.received.length).toBeLessThan(sent.length);
    await app(url, server.dataDir);
    await waitFor("every delivery at the bot", everyDelivered(sent), 120_000, 200);
    expectFaithful(bot.received, sent);
  }, 240_000);

  it("two instances on one database: the bot never sees a delivery out of order, also when the sending one is killed", async () => {
    const url = await database();
    const [a, b] = [await app(url), await app(url)];
    const bodies: Buffer[] = [];
    let killed = false;
    for (let n = 0; n < 200; n++) {
      bodies.push(body(n));
      // One at a time, alternating: the order the provider was answered is the order of ids.
      const target = killed || n % 2 ? b : a;
      expect(await post(target, bodies[n])).toBeLessThan(500);
      if (n === 120) {
        expect(killAppHard(a.dataDir)).toBeGreaterThan(0);
        killed = true;
      }
    }
    const sent = (await recorded(url)).map((d, i) => ({ id: d.id, body: bodies[i] }));
    await waitFor("every delivery at the bot", everyDelivered(sent), 120_000, 200);
    expectFaithful(bot.received, sent);
  }, 240_000);

  it("PostgreSQL stopped mid-stream: the spooled deliveries are forwarded once drained, in order, after the ones before", async () => {
    const pgServer = await startRestartablePostgres();
    drops.push(pgServer.destroy);
    const server = await app(pgServer.url);
    const bodies: Buffer[] = [];
    const postNext = async () => {
      bodies.push(body(bodies.length));
      expect(await post(server, bodies.at(-1)!)).toBeLessThan(500);
    };
    for (let i = 0; i < 10; i++) await postNext();
    await pgServer.stop();
    for (let i = 0; i < 20; i++) await postNext();
    expect((await health(server.url)).spoolDepth).toBeGreaterThan(0);
    await pgServer.start();
    await waitFor("the spool to drain", async () => (await health(server.url)).spoolDepth === 0, 60_000, 200);
    const sent = (await recorded(pgServer.url)).map((d, i) => ({ id: d.id, body: bodies[i] }));
    expect(sent).toHaveLength(30);
    await waitFor("every delivery at the bot", everyDelivered(sent), 120_000, 200);
    expectFaithful(bot.received, sent);
  }, 240_000);
});
