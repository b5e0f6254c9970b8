import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { otherInstance, useTestDatabase } from "../../test/support/db";
import { startWebhook } from "../../test/support/webhook";
import { createDb, SESSION_OPTIONS } from "../db/client";
import { receiveDelivery } from "../ingest/store";
import { accepted, alertBody, chatSafeId, NAMED_IN_CHAT, type AlertGroup } from "./messages";
import { claimAlerts, detectTransitions, monitorOnce, sendAlerts, type MonitorOptions } from "./monitor";

const db = useTestDatabase();
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((c) => c())));
const MINUTE = 60_000;
const CHATS = ["wecom", "dingtalk", "feishu", "slack"] as const;

/** The text a chat would show for `body`, whatever its format. */
function chatText(body: unknown): string {
  const b = body as { text?: { content?: string } | string; content?: { text: string } };
  return typeof b.text === "string" ? b.text : (b.text?.content ?? b.content!.text);
}

/** Robots that last called back `ago` ms ago, straight into the summary the monitor reads. */
async function lastHeard(robotIds: string[], agoMs: number) {
  await db.pool.query(
    `INSERT INTO robot_instances ("robotId", "instanceId", "lastCallbackAt") SELECT unnest($1::text[]), 'i', now() - $2 * interval '1 millisecond'
     ON CONFLICT ("robotId", "instanceId") DO UPDATE SET "lastCallbackAt" = EXCLUDED."lastCallbackAt"`,
    [robotIds, agoMs],
  );
}

/** Robots first seen active, then silent: one queued alert each. */
async function wentSilent(robotIds: string[], groupWaitMs = 0) {
  await lastHeard(robotIds, 0);
  await detectTransitions(db.client, 30 * MINUTE);
  await lastHeard(robotIds, 31 * MINUTE);
  return detectTransitions(db.client, 30 * MINUTE, new Date(), groupWaitMs);
}

const options = (webhookUrl: string | undefined, format: MonitorOptions["format"] = "generic"): MonitorOptions => ({
  silentAfterMs: 30 * MINUTE,
  webhookUrl,
  format,
  publicUrl: "http://dash",
});

describe("alerts", () => {
  it("retries an alert the webhook refused, and sends it once it is taken", async () => {
    const hook = await startWebhook((n) => (n === 0 ? 500 : 200));
    closers.push(hook.close);
    const t0 = new Date(Date.now() - 40 * MINUTE);
    await receiveDelivery(db.client, Buffer.from(JSON.stringify({ event: "30001", data: { robotId: "bot-retry" } })), t0);
    await detectTransitions(db.client, 30 * MINUTE, new Date(t0.getTime() + MINUTE));
    expect(await detectTransitions(db.client, 30 * MINUTE)).toEqual([{ robotId: "bot-retry", state: "silent" }]);

    expect(await sendAlerts(db.client, options(hook.url))).toBe(0);
    const { rows } = await db.pool.query(`SELECT attempts, "lastError", "nextAttemptAt" > now() AS waiting FROM robot_alerts WHERE "robotId" = 'bot-retry'`);
    expect(rows).toEqual([{ attempts: 1, lastError: "HTTP 500: {}", waiting: true }]);
    expect(await sendAlerts(db.client, options(hook.url))).toBe(0); // not before its time
    await db.pool.query(`UPDATE robot_alerts SET "nextAttemptAt" = now() WHERE "robotId" = 'bot-retry'`);
    expect(await sendAlerts(db.client, options(hook.url))).toBe(1);
    expect(await sendAlerts(db.client, options(hook.url))).toBe(0);
    expect(hook.received.map((r) => [r.status, r.body.state, r.body.robotId])).toEqual([[500, "silent", "bot-retry"], [200, "silent", "bot-retry"]]);
  });

  it("keeps the webhook's token out of what it records when the webhook fails", async () => {
    const hook = await startWebhook(() => 500);
    closers.push(hook.close);
    await wentSilent(["bot-secret-hook"]);
    // fetch refuses a URL with user:password and quotes it whole in its error; the path and the
    // query carry tokens as WeCom, DingTalk and Feishu hooks do.
    const port = new URL(hook.url).port;
    const url = `http://user:pw-SECRET-1@127.0.0.1:${port}/open-apis/bot/v2/hook/SECRET-PATH-2?key=SECRET-KEY-3`;
    expect(await sendAlerts(db.client, options(url))).toBe(0);
    const { rows } = await db.pool.query(`SELECT "lastError" FROM robot_alerts WHERE "robotId" = 'bot-secret-hook'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].lastError).toMatch(/\S/);
    for (const secret of ["pw-SECRET-1", "SECRET-PATH-2", "SECRET-KEY-3"]) expect(rows[0].lastError).not.toContain(secret);
  });

  it("speaks each chat robot's message format, and treats their error codes as refusals", () => {
    const robot = { robotId: "bot", lastCallbackAt: "2026-11-29T01:00:00.000Z", url: "http://dash/robots/bot" };
    const one: AlertGroup = { state: "silent", robots: [robot], url: robot.url };
    expect(alertBody(one, "generic")).toEqual({ robotId: "bot", state: "silent", lastCallbackAt: robot.lastCallbackAt, url: robot.url, count: 1, robots: [robot] });
    expect(alertBody(one, "wecom")).toEqual({ msgtype: "text", text: { content: expect.stringContaining("bot") } });
    expect(alertBody(one, "dingtalk")).toEqual({ msgtype: "text", text: { content: expect.stringContaining("http://dash/robots/bot") } });
    expect(alertBody(one, "feishu")).toEqual({ msg_type: "text", content: { text: expect.stringContaining("静默") } });
    expect(alertBody(one, "slack")).toEqual({ text: expect.stringContaining("silent") });
    expect(accepted(200, `{"errcode":0,"errmsg":"ok"}`)).toBe(true);
    expect(accepted(200, `{"errcode":93000,"errmsg":"invalid webhook url"}`)).toBe(false);
    expect(accepted(200, `{"code":19001,"msg":"param invalid"}`)).toBe(false);
    expect(accepted(200, "ok")).toBe(true);
    expect(accepted(429, "")).toBe(false);
  });

  it("escapes a robot id for each chat, so that no id becomes a link, a mention or markup there", () => {
    const hostile = [
      "<!channel>",
      "<!here|here> <@U024BE7LH>",
      "@all",
      "@channel please",
      "<at user_id=\"all\">所有人</at>",
      "[click here](https://evil.example/login)",
      "<https://evil.example|Open the dashboard>",
      "evil.example",
      "http://evil.example",
      "**urgent** # heading > quote `code` ~~gone~~",
      "<font color=\"warning\">red</font> <@zhangsan>",
      "a & b",
      "line one\nline two\r\u2028\u202eright-to-left",
      "x".repeat(10_000),
    ];
    for (const format of CHATS) {
      for (const robotId of hostile) {
        const url = `http://dash/robots/${encodeURIComponent(robotId)}`;
        const message = chatText(alertBody({ state: "silent", robots: [{ robotId, lastCallbackAt: null, url }], url: "http://dash/robots?state=silent" }, format));
        const named = chatSafeId(robotId, format);
        const where = `${format}: ${JSON.stringify(robotId.slice(0, 40))}`;
        expect(message, where).toContain(named);
        expect(named, where).not.toMatch(/[\n\r\u2028\u202e]/);
        expect(named, where).not.toMatch(/@(all|channel|here|everyone|zhangsan|U0)/i);
        expect(named, where).not.toMatch(/https?:\/\/|evil\.example/);
        expect(named, where).not.toMatch(/<at |<@|<!|<font|<https?/);
        expect(Array.from(named).length, where).toBeLessThanOrEqual(2 * 64 + 1 + 64);
        if (format === "slack") expect(named, where).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
        else expect(named, where).not.toMatch(/[<>[\]()*`~#|&]|\]\(/);
      }
      // Slack's own escaping, as its documentation gives it.
      if (format === "slack") expect(chatSafeId("<!channel> & co", format)).toBe("&lt;!channel&gt; &amp; co");
      // An id the callback accepts is shown as it is.
      expect(chatSafeId("wxid_8x7k2m9p4q1r22-robot", format)).toBe("wxid_8x7k2m9p4q1r22-robot");
    }
  });

  it("sends many robots going silent at once as one alert per webhook, naming ten in a chat and counting the rest", async () => {
    const fleet = Array.from({ length: 30 }, (_, i) => `mass-${String(i).padStart(2, "0")}`);
    expect(await wentSilent(fleet)).toHaveLength(30);
    const hook = await startWebhook();
    closers.push(hook.close);
    expect(await sendAlerts(db.client, options(hook.url))).toBe(30);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0].body).toMatchObject({ state: "silent", count: 30, url: "http://dash/robots?state=silent" });
    expect((hook.received[0].body.robots as { robotId: string }[]).map((r) => r.robotId)).toEqual(fleet);
    expect(hook.received[0].body).not.toHaveProperty("robotId");

    // The same burst in a chat's format: one message, ten ids and how many more.
    const back = await (async () => {
      await lastHeard(fleet, 0);
      return detectTransitions(db.client, 30 * MINUTE);
    })();
    expect(back).toHaveLength(30);
    const chat = await startWebhook();
    closers.push(chat.close);
    expect(await sendAlerts(db.client, options(chat.url, "wecom"))).toBe(30);
    expect(chat.received).toHaveLength(1);
    const text = chatText(chat.received[0].body);
    expect(text).toContain("30 robots are active again");
    expect(text).toContain(`and ${30 - NAMED_IN_CHAT} more`);
    expect(fleet.filter((id) => text.includes(id))).toEqual(fleet.slice(0, NAMED_IN_CHAT));
  });

  it("holds a new alert for the group wait, and sends the alerts that arrive meanwhile with it", async () => {
    expect(await wentSilent(["wait-a"], 60_000)).toHaveLength(1);
    expect(await claimAlerts(db.client)).toEqual([]); // within its wait
    // The first one's wait is over; another robot went silent a moment ago.
    await db.pool.query(`UPDATE robot_alerts SET "nextAttemptAt" = now() WHERE "robotId" = 'wait-a'`);
    expect(await wentSilent(["wait-b"], 60_000)).toHaveLength(1);
    const hook = await startWebhook();
    closers.push(hook.close);
    expect(await sendAlerts(db.client, options(hook.url))).toBe(2);
    expect(hook.received.map((r) => r.body)).toEqual([expect.objectContaining({ state: "silent", count: 2 })]);
  });

  it("an instance without ALERT_WEBHOOK_URL leaves the alerts to an instance that has one", async () => {
    await lastHeard(["bot-unsent"], 0);
    await monitorOnce(db.client, options(undefined));
    await lastHeard(["bot-unsent"], 31 * MINUTE);
    await monitorOnce(db.client, options(undefined)); // this instance sees the change first
    const hook = await startWebhook();
    closers.push(hook.close);
    await monitorOnce(db.client, options(hook.url));
    expect(hook.received.map((r) => [r.body.robotId, r.body.state])).toEqual([["bot-unsent", "silent"]]);
  });

  it("many instances racing over one change send exactly one alert, and none waits for another's claim", async () => {
    await lastHeard(["bot-race"], 0);
    await detectTransitions(db.client, 30 * MINUTE);
    await lastHeard(["bot-race"], 31 * MINUTE);
    // Twelve instances, each with its own pool, run a monitor round at once. The webhook keeps its
    // answer until every instance but the sender has finished its round, or a second POST came:
    // an instance that could claim the alert again while it is being sent would have done so.
    let release!: () => void;
    const hook = await startWebhook(() => 200, { hold: new Promise<void>((r) => (release = r)) });
    closers.push(hook.close);
    const instances = Array.from({ length: 12 }, () => otherInstance(db.url, 2));
    closers.push(() => Promise.all(instances.map((p) => p.end())));
    let finished = 0;
    const rounds = instances.map((p) => monitorOnce(p.client, options(hook.url)).then(() => finished++));
    await expect.poll(() => finished >= 11 || hook.received.length > 1, { timeout: 30_000 }).toBe(true);
    release();
    await Promise.all(rounds);
    expect(hook.received.map((r) => [r.body.robotId, r.body.state])).toEqual([["bot-race", "silent"]]);

    // A claim not yet committed (an instance in the middle of its claim) does not hold up the
    // others: they pass over it at once instead of waiting for its lock.
    await lastHeard(["bot-race"], 0);
    await detectTransitions(db.client, 30 * MINUTE);
    const impatientPool = new pg.Pool({ connectionString: db.url, max: 1, options: `${SESSION_OPTIONS} -c lock_timeout=5000` });
    const impatient = createDb(impatientPool);
    try {
      await db.client.$transaction(async (holder) => {
        expect((await claimAlerts(holder)).map((a) => a.robotId)).toEqual(["bot-race"]);
        expect(await claimAlerts(impatient)).toEqual([]);
      });
    } finally {
      await impatient.$disconnect();
      await impatientPool.end();
    }
    expect(await claimAlerts(db.client)).toEqual([]); // claimed for 60 s by the one that committed
  });
});
