// The relay against a real PostgreSQL and a stand-in bot on a local port: what is queued (the
// trigger), what the bot receives (bytes, headers, signature), in which order, and what happens
// to answers other than 2xx.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { waitFor } from "../../test/durability-helpers";
import { useTestDatabase } from "../../test/support/db";
import { startStandInBot, type StandInBot } from "../../scripts/demo/bot";
import { receiveDelivery, recordOversizeDelivery } from "../ingest/store";
import { replayDelivery } from "../deliveries/replay";
import { forwardingOf, forwardStates, retryFailed } from "./outbox";
import { listDeliveries, parseDeliveryQuery } from "../deliveries/list";
import { Relay, retryDelayMs } from "./relay";
import { oldestPendingSeconds, operateTarget, setPaused, syncTargets, targetSummaries } from "./targets";
import { checkHealth } from "../health";

const db = useTestDatabase();
const example = readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url));
const SECRET = "relay-test-secret";
let bot: StandInBot;
let relay: Relay | null = null;

beforeAll(async () => {
  process.env.LOG_LEVEL = "silent";
  bot = await startStandInBot({ secret: SECRET });
});
afterAll(async () => {
  await bot.stop();
});
afterEach(async () => {
  await relay?.stop();
  relay = null;
  bot.received.length = 0;
  bot.answer(200);
  await db.pool.query(`TRUNCATE forward_outbox, forward_attempts, forward_minutes, deliveries, video_events RESTART IDENTITY CASCADE`);
  await db.pool.query(`UPDATE forward_targets SET active = false, paused = false`);
});

const startRelay = (extra: Partial<Parameters<typeof Relay.start>[0]> = {}) =>
  Relay.start({ databaseUrl: db.url, urls: [bot.url], events: null, secret: SECRET, timeoutMs: 2000, maxAgeMs: 60_000, sweepMs: 200, ...extra });

/** A distinct, valid 20004 envelope, formatted oddly (the bot must get these exact bytes). */
function video(n: number): Buffer {
  const envelope = JSON.parse(example.toString("utf8"));
  envelope.data.serverId = `relay-${n}`;
  envelope.data.fromNickName = `发送者 ${n}`;
  return Buffer.from(`{ "event":"20004" ,\n  "description": "视频 ${n}",  "time": ${envelope.time}, "data": ${JSON.stringify(envelope.data, null, 3)} }`);
}

const other = (n: number) => Buffer.from(`{"event":"20005","description":"other ${n}","time":1700000000000,"data":{"n":${n}}}`);

async function record(body: Buffer, contentType = "application/json; charset=utf-8") {
  await receiveDelivery(db.client, body, new Date(), { contentType, keepBody: true });
  const { rows } = await db.pool.query<{ id: string }>(`SELECT max(id)::text AS id FROM deliveries`);
  return rows[0].id;
}

/** Waits for a condition (checked every 50 ms); a plain boolean check is fine. */
const until = <T>(what: string, check: () => T | Promise<T>, ms = 20_000) => waitFor(what, async () => (await check()) || undefined, ms, 50);

describe("the outbox trigger", () => {
  it("queues every delivery that passed the checks, per active target matching FORWARD_EVENTS, in the recording statement", async () => {
    const [all, videosOnly] = await syncTargets(db.client, { urls: ["http://127.0.0.1:9/all"], events: null }).then(async (a) => [
      a[0],
      (await db.pool.query(`INSERT INTO forward_targets (url, events) VALUES ('http://127.0.0.1:9/videos', '{20004}') RETURNING id`)).rows[0].id,
    ]);
    const stored = await record(video(1));
    const otherEvent = await record(other(1));
    const rejected = await record(Buffer.from("{not json"));
    await recordOversizeDelivery(db.client, Buffer.from("x".repeat(100)), 5_000_000, 1_000_000);
    const replay = await replayDelivery(db.client, rejected);
    expect(replay.kind).toBe("replayed");
    const { rows } = await db.pool.query(`SELECT "deliveryId"::text AS d, "targetId" AS t FROM forward_outbox ORDER BY 1, 2`);
    expect(rows).toEqual([
      { d: stored, t: all },
      { d: stored, t: videosOnly },
      { d: otherEvent, t: all },
      { d: rejected, t: all },
    ]);
  });

  it("queues nothing when no target is active", async () => {
    await record(video(2));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM forward_outbox`)).rows[0].n).toBe(0);
  });
});

describe("forwarding to a stand-in bot", () => {
  it("POSTs each delivery's exact bytes in order, with its Content-Type, X-Delivery-Id and a signature that verifies", async () => {
    relay = await startRelay();
    const bodies = [video(10), other(11), Buffer.from("{broken json"), video(12), video(10)];
    const ids: string[] = [];
    for (const [i, b] of bodies.entries()) ids.push(await record(b, i === 1 ? "text/plain" : "application/json; charset=utf-8"));
    await until("five forwards", () => bot.received.length >= 5);
    expect(bot.received.map((r) => r.deliveryId)).toEqual(ids);
    bot.received.forEach((r, i) => {
      expect(r.body.equals(bodies[i])).toBe(true);
      expect(r.signatureValid).toBe(true);
      expect(r.headers["x-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    });
    expect(bot.received.map((r) => r.contentType)).toEqual(["application/json; charset=utf-8", "text/plain", "application/json; charset=utf-8", "application/json; charset=utf-8", "application/json; charset=utf-8"]);
    await until("delivered states", async () => {
      const s = await forwardStates(db.client, ids);
      return ids.every((id) => s.get(id)?.[0].state === "delivered");
    });
    const states = await forwardStates(db.client, ids);
    expect(states.get(ids[0])![0]).toMatchObject({ state: "delivered", status: 200, attempts: 1, target: `${new URL(bot.url).origin} #${createHash("sha256").update(bot.url).digest("hex").slice(0, 8)}` });
    expect(states.get(ids[0])![0].latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("marks a 400 failed at once, never retries it, and goes on with the next delivery", async () => {
    bot.answer((req) => (req.body.includes("other 21") ? 400 : 200));
    relay = await startRelay();
    const failed = await record(other(21));
    const next = await record(other(22));
    await until("the next delivery", () => bot.received.some((r) => r.deliveryId === next));
    // The control, instead of a sleep: one more delivery goes out after it, so the relay has had a
    // full round in which a retry of the 400 (which would go first) could have happened.
    const later = await record(other(23));
    await until("the delivery after it", () => bot.received.some((r) => r.deliveryId === later));
    expect(bot.received.filter((r) => r.deliveryId === failed)).toHaveLength(1);
    const states = await forwardStates(db.client, [failed]);
    expect(states.get(failed)![0]).toMatchObject({ state: "failed", status: 400, attempts: 1 });
    expect(states.get(failed)![0].answer).toContain("stand-in bot answered 400");
    // Retry from the page: it goes out again.
    const [{ targetId }] = states.get(failed)!;
    bot.answer(200);
    expect(await retryFailed(db.client, failed, targetId)).toBe(true);
    await until("the retried delivery", () => bot.received.filter((r) => r.deliveryId === failed).length === 2);
    // Its page lists both attempts, newest first, though the retry started the outbox's count again.
    await until("the second attempt recorded", async () => (await forwardingOf(db.client, failed))[0].history.length === 2);
    const [target] = await forwardingOf(db.client, failed);
    expect(target).toMatchObject({ state: "delivered", attempts: 1 });
    expect(target.history.map((a) => [a.state, a.status])).toEqual([["delivered", 200], ["failed", 400]]);
    expect(target.history[1].answer).toContain("stand-in bot answered 400");
    expect(Date.parse(target.history[0].at)).toBeGreaterThanOrEqual(Date.parse(target.history[1].at));
    // Deleting the delivery (retention, a video's delete) takes its attempts with it.
    await db.pool.query(`DELETE FROM deliveries WHERE id = $1`, [failed]);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM forward_attempts WHERE "deliveryId" = $1`, [failed])).rows[0].n).toBe(0);
  });

  it("lists the deliveries a target refused (forward=failed) and retries all of them at once", async () => {
    relay = await startRelay();
    const delivered = await record(other(30));
    await until("the first delivery", () => bot.received.some((r) => r.deliveryId === delivered));
    bot.answer(400);
    const failed = [await record(other(31)), await record(other(32)), await record(other(33))];
    await until("three failures", async () => {
      const s = await forwardStates(db.client, failed);
      return failed.every((id) => s.get(id)?.[0].state === "failed");
    });
    const listed = await listDeliveries(db.client, parseDeliveryQuery(new URLSearchParams("forward=failed")));
    expect(listed.items.map((d) => d.id)).toEqual([...failed].reverse());
    expect(() => parseDeliveryQuery(new URLSearchParams("forward=lost"))).toThrow(/forward/);
    const [{ targetId }] = (await forwardStates(db.client, [failed[0]])).get(failed[0])!;

    bot.answer(200);
    expect(await operateTarget(db.client, String(targetId), "retry-failed")).toEqual({ kind: "done", retried: 3 });
    await until("the three retried", () => failed.every((id) => bot.received.filter((r) => r.deliveryId === id).length === 2));
    // Sent again in their order, and nothing is failed any more.
    expect(bot.received.slice(-3).map((r) => r.deliveryId)).toEqual(failed);
    await until("delivered", async () => (await listDeliveries(db.client, parseDeliveryQuery(new URLSearchParams("forward=failed")))).items.length === 0);
    expect(await operateTarget(db.client, String(targetId), "retry-failed")).toEqual({ kind: "done", retried: 0 });
    expect(await operateTarget(db.client, "99999", "retry-failed")).toMatchObject({ kind: "not_found" });
  });

  it("retries a 503 with backoff while the later deliveries wait behind it, then sends them all in order", async () => {
    let refusals = 0;
    bot.answer(() => (refusals++ < 2 ? 503 : 200));
    relay = await startRelay();
    const ids = [await record(other(31)), await record(other(32)), await record(other(33))];
    await until("a retrying state", async () => (await forwardStates(db.client, [ids[0]])).get(ids[0])?.[0].state === "retrying");
    const retrying = (await forwardStates(db.client, [ids[0]])).get(ids[0])![0];
    expect(retrying).toMatchObject({ status: 503, attempts: 1 });
    expect(retrying.nextAttemptAt).not.toBeNull();
    expect(retrying.answer).toContain("503");
    await until("all three", () => bot.received.filter((r) => r.headers["x-delivery-id"] !== undefined).length >= 5, 30_000);
    // What the bot saw: the head refused twice, then the three in order; no later one before the head.
    expect(bot.received.map((r) => r.deliveryId)).toEqual([ids[0], ids[0], ids[0], ids[1], ids[2]]);
    // Every attempt is on the delivery's page: two answered 503 and retried, then delivered.
    await until("the head's three attempts", async () => (await forwardingOf(db.client, ids[0]))[0].history.length === 3);
    const history = (await forwardingOf(db.client, ids[0]))[0].history;
    expect(history.map((a) => [a.state, a.status])).toEqual([["delivered", 200], ["pending", 503], ["pending", 503]]);
    expect(history[0].latencyMs).toBeGreaterThanOrEqual(0);
    expect((await forwardingOf(db.client, ids[1]))[0].history.map((a) => a.state)).toEqual(["delivered"]);
  });

  it("retries a target that does not answer (connection refused), then delivers once it is up", async () => {
    await bot.down();
    relay = await startRelay();
    const id = await record(other(41));
    await until("a failed attempt", async () => (await forwardStates(db.client, [id])).get(id)?.[0].attempts === 1);
    expect((await forwardStates(db.client, [id])).get(id)![0].answer).toMatch(/ECONNREFUSED|fetch failed/);
    await bot.up();
    await until("the delivery", () => bot.received.some((r) => r.deliveryId === id), 30_000);
  });

  it("gives up on a delivery older than FORWARD_MAX_AGE", async () => {
    bot.answer(503);
    relay = await startRelay({ maxAgeMs: 1500 });
    const id = await record(other(51));
    await until("failed", async () => (await forwardStates(db.client, [id])).get(id)?.[0].state === "failed", 30_000);
  });

  it("holds everything for a paused target while an unpaused one receives, and sends it on resume", async () => {
    const control = await startStandInBot();
    try {
      relay = await startRelay({ urls: [bot.url, control.url] });
      const [targetId] = await syncTargets(db.client, { urls: [bot.url, control.url], events: null });
      await setPaused(db.client, targetId, true);
      // The control target, instead of a sleep: it receives both deliveries, one after the other,
      // so the relay was sending all along; the paused one has received neither.
      const ids = [await record(other(61))];
      await until("the first delivery at the unpaused target", () => control.received.some((r) => r.deliveryId === ids[0]));
      ids.push(await record(other(62)));
      await until("the second delivery at the unpaused target", () => control.received.some((r) => r.deliveryId === ids[1]));
      expect(bot.received).toHaveLength(0);
      const [summary] = (await targetSummaries(db.client)).filter((t) => t.id === targetId);
      expect(summary).toMatchObject({ paused: true, backlog: 2 });
      await setPaused(db.client, targetId, false);
      await until("both deliveries", () => ids.every((id) => bot.received.some((r) => r.deliveryId === id)));
      expect(bot.received.map((r) => r.deliveryId)).toEqual(ids);
    } finally {
      await control.stop();
    }
  });

  it("sends in the order the deliveries were committed, and a long transaction elsewhere holds nothing back", async () => {
    relay = await startRelay();
    const slow = new pg.Client({ connectionString: db.url });
    await slow.connect();
    try {
      // Takes its id first, commits last: it is forwarded after what was committed before it.
      await slow.query("BEGIN");
      await slow.query(`INSERT INTO deliveries ("eventCode", outcome, "httpStatus", body, "bodyBytes") VALUES ('1', 'other_event', 200, '{"late":1}', 10)`);
      const committed = await record(other(71));
      await until("the committed one, while the other transaction is still open", () => bot.received.some((r) => r.deliveryId === committed));
      // Both waiting at once (the bot is down): the one committed first still goes first.
      await bot.down();
      const next = await record(other(72));
      await until("a failed attempt", async () => (await forwardStates(db.client, [next])).get(next)?.[0].attempts === 1);
      await slow.query("COMMIT");
      await bot.up();
      await until("all three", () => bot.received.length >= 3, 30_000);
      expect(bot.received.map((r) => r.body.toString())).toEqual([other(71).toString(), other(72).toString(), '{"late":1}']);
      expect(Number(bot.received[2].deliveryId)).toBeLessThan(Number(committed));
    } finally {
      await slow.end();
    }
  });
});

describe("health", () => {
  it("is degraded when a target's oldest pending delivery is older than 5 minutes", async () => {
    await syncTargets(db.client, { urls: [bot.url], events: null });
    await record(other(81));
    const check = () => checkHealth(db.client, { spoolDepth: 0, spool: true }, { forwardLag: () => oldestPendingSeconds(db.client) });
    expect(await check()).toMatchObject({ status: "ok", forwarding: "ok" });
    await db.pool.query(`UPDATE forward_outbox SET "createdAt" = now() - interval '6 minutes'`);
    expect(await check()).toMatchObject({ status: "degraded", forwarding: expect.stringMatching(/6 min/) });
  });
});

describe("retryDelayMs", () => {
  it("doubles from 1 s with jitter, never beyond 5 minutes", () => {
    expect(retryDelayMs(1, () => 1)).toBe(1000);
    expect(retryDelayMs(3, () => 1)).toBe(4000);
    expect(retryDelayMs(3, () => 0)).toBe(2000);
    expect(retryDelayMs(50, () => 1)).toBe(300_000);
  });
});
