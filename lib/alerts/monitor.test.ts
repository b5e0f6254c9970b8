import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { startWebhook } from "../../test/support/webhook";
import { receiveDelivery } from "../ingest/store";
import { accepted, alertBody } from "./messages";
import { detectTransitions, sendAlerts } from "./monitor";

const db = useTestDatabase();
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((c) => c())));
const MINUTE = 60_000;

describe("alerts", () => {
  it("retries an alert the webhook refused, and sends it once it is taken", async () => {
    const hook = await startWebhook((n) => (n === 0 ? 500 : 200));
    closers.push(hook.close);
    const t0 = new Date(Date.now() - 40 * MINUTE);
    await receiveDelivery(db.pool, Buffer.from(JSON.stringify({ event: "30001", data: { robotId: "bot-retry" } })), t0);
    await detectTransitions(db.pool, 30 * MINUTE, new Date(t0.getTime() + MINUTE));
    expect(await detectTransitions(db.pool, 30 * MINUTE)).toEqual([{ robotId: "bot-retry", state: "silent" }]);

    const options = { silentAfterMs: 30 * MINUTE, webhookUrl: hook.url, format: "generic" as const, publicUrl: "http://dash" };
    expect(await sendAlerts(db.pool, options)).toBe(0);
    const { rows } = await db.pool.query(`SELECT attempts, "lastError", "nextAttemptAt" > now() AS waiting FROM robot_alerts WHERE "robotId" = 'bot-retry'`);
    expect(rows).toEqual([{ attempts: 1, lastError: "HTTP 500: {}", waiting: true }]);
    expect(await sendAlerts(db.pool, options)).toBe(0); // not before its time
    await db.pool.query(`UPDATE robot_alerts SET "nextAttemptAt" = now() WHERE "robotId" = 'bot-retry'`);
    expect(await sendAlerts(db.pool, options)).toBe(1);
    expect(await sendAlerts(db.pool, options)).toBe(0);
    expect(hook.received.map((r) => [r.status, r.body.state])).toEqual([[500, "silent"], [200, "silent"]]);
  });

  it("speaks each chat robot's message format, and treats their error codes as refusals", () => {
    const alert = { robotId: "bot", state: "silent" as const, lastCallbackAt: "2026-11-29T01:00:00.000Z", url: "http://dash/robots/bot" };
    expect(alertBody(alert, "generic")).toEqual(alert);
    expect(alertBody(alert, "wecom")).toEqual({ msgtype: "text", text: { content: expect.stringContaining("bot") } });
    expect(alertBody(alert, "dingtalk")).toEqual({ msgtype: "text", text: { content: expect.stringContaining("http://dash/robots/bot") } });
    expect(alertBody(alert, "feishu")).toEqual({ msg_type: "text", content: { text: expect.stringContaining("静默") } });
    expect(alertBody(alert, "slack")).toEqual({ text: expect.stringContaining("silent") });
    expect(accepted(200, `{"errcode":0,"errmsg":"ok"}`)).toBe(true);
    expect(accepted(200, `{"errcode":93000,"errmsg":"invalid webhook url"}`)).toBe(false);
    expect(accepted(200, `{"code":19001,"msg":"param invalid"}`)).toBe(false);
    expect(accepted(200, "ok")).toBe(true);
    expect(accepted(429, "")).toBe(false);
  });
});
