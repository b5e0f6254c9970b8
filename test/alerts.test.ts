// Silence alerts end to end: two production instances on one database, a robot that stops and
// resumes, and a stand-in webhook that must get exactly one "silent" and one "active" POST, each
// within 15 s of the change. Needs `next build` first.
import { afterAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";
import { startWebhook } from "./support/webhook";
import { waitFor } from "./durability-helpers";

const db = useTestDatabase();
const apps: AppServer[] = [];
const hooks: Awaited<ReturnType<typeof startWebhook>>[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await Promise.all(hooks.map((h) => h.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const callback = (app: AppServer, robotId: string) =>
  fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify({ event: "30001", time: Date.now(), data: { robotId, instanceId: "inst-1" } }) });

describe("robot silence alerts", () => {
  it("two instances send one silent and one active alert for a robot that stops and resumes", { timeout: 120_000 }, async () => {
    const hook = await startWebhook();
    hooks.push(hook);
    const env = { DATABASE_URL: db.url, ROBOT_SILENT_AFTER: "4s", ALERT_WEBHOOK_URL: hook.url, PUBLIC_URL: "https://dash.example" };
    const [a, b] = await Promise.all([startAppServer(env), startAppServer(env)]);
    apps.push(a, b);

    // Long enough for both monitors to see the robot active (no alert: that is no change).
    const until = Date.now() + 7000;
    let lastCallback = 0;
    while (Date.now() < until) {
      expect((await callback(Date.now() % 2 ? a : b, "bot-alert")).status).toBe(200);
      lastCallback = Date.now();
      await sleep(500);
    }
    const silent = await waitFor("the silent alert", async () => hook.received.find((r) => r.body.state === "silent"), 30_000);
    expect(silent.at - (lastCallback + 4000)).toBeLessThan(15_000);
    expect(silent.body).toEqual({ robotId: "bot-alert", state: "silent", lastCallbackAt: expect.any(String), url: "https://dash.example/robots/bot-alert" });

    const robots = await (await fetch(`${b.url}/api/robots`)).json();
    expect(robots.items).toEqual([expect.objectContaining({ robotId: "bot-alert", instanceIds: ["inst-1"], state: "silent", silentSince: expect.any(String) })]);
    expect((await (await fetch(`${a.url}/api/health`)).json())).toMatchObject({ status: "degraded", silentRobots: ["bot-alert"] });

    // The robot resumes and keeps calling back, to either instance.
    const resumedAt = Date.now();
    let resumed = true;
    const keepCalling = (async () => {
      for (let i = 0; resumed; i++) {
        await callback(i % 2 ? a : b, "bot-alert");
        await sleep(1000);
      }
    })();
    const active = await waitFor("the active alert", async () => hook.received.find((r) => r.body.state === "active"), 30_000);
    expect(active.at - resumedAt).toBeLessThan(15_000);

    // Several more rounds of both monitors: nothing more is sent.
    await sleep(12_000);
    resumed = false;
    await keepCalling;
    expect(hook.received.map((r) => r.body.state)).toEqual(["silent", "active"]);
    const metrics = await (await fetch(`${a.url}/api/metrics`)).text();
    expect(metrics).toMatch(/robot_last_callback_timestamp_seconds\{robot_id="bot-alert"\} \d+/);
  });
});
