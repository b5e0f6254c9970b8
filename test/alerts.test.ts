// Silence alerts end to end: two production instances on one database, a robot that stops and
// resumes, and a stand-in webhook that must get exactly one "silent" and one "active" POST, each
// within 15 s of the change. Needs `next build` first.
import pg from "pg";
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

/** The state a monitor last recorded for `robotId` (robot_states), once it has one. */
async function recordedState(robotId: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<{ state: string }>(`SELECT state FROM robot_states WHERE "robotId" = $1`, [robotId])).rows[0]?.state;
  } finally {
    await client.end();
  }
}

/** Calls back for `robotId` every 500 ms until a monitor has recorded it active, so that its silence is a change. */
async function seenActive(apps: AppServer[], robotId: string): Promise<number> {
  let last = 0;
  await waitFor(`${robotId} recorded active`, async () => {
    expect((await callback(apps[Date.now() % apps.length], robotId)).status).toBe(200);
    last = Date.now();
    return (await recordedState(robotId)) === "active";
  }, 30_000, 500);
  return last;
}

describe("robot silence alerts", () => {
  it("two instances send one silent and one active alert for a robot that stops and resumes", { timeout: 180_000 }, async () => {
    const hook = await startWebhook();
    hooks.push(hook);
    // No group wait: this test measures the time from a change to its alert.
    const env = { DATABASE_URL: db.url, ROBOT_SILENT_AFTER: "4s", ALERT_GROUP_WAIT: "0s", ALERT_WEBHOOK_URL: hook.url, PUBLIC_URL: "https://dash.example" };
    const [a, b] = await Promise.all([startAppServer(env), startAppServer(env)]);
    apps.push(a, b);

    const lastCallback = await seenActive([a, b], "bot-alert");
    const silent = await waitFor("the silent alert", async () => hook.received.find((r) => r.body.state === "silent"), 30_000);
    expect(silent.at - (lastCallback + 4000)).toBeLessThan(15_000);
    expect(silent.body).toEqual({
      robotId: "bot-alert",
      state: "silent",
      lastCallbackAt: expect.any(String),
      url: "https://dash.example/robots/bot-alert",
      count: 1,
      robots: [{ robotId: "bot-alert", lastCallbackAt: expect.any(String), url: "https://dash.example/robots/bot-alert" }],
    });

    const robots = await (await fetch(`${b.url}/api/robots`)).json();
    expect(robots).toEqual({ items: [expect.objectContaining({ robotId: "bot-alert", instanceIds: ["inst-1"], state: "silent", silentSince: expect.any(String) })], nextCursor: null, counts: { total: 1, silent: 1 } });
    expect((await (await fetch(`${a.url}/api/health`)).json())).toMatchObject({ status: "degraded", silentRobots: ["bot-alert"], silentRobotCount: 1 });

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

    // Nothing more is sent for bot-alert, shown against alerts that are sent: two more robots go
    // silent one after the other, each recorded active by a monitor round first and its alert
    // sent by a later one. A second alert for bot-alert from either instance would have come by then.
    for (const marker of ["bot-marker-1", "bot-marker-2"]) {
      await seenActive([a, b], marker);
      await waitFor(`${marker}'s silent alert`, async () => hook.received.find((r) => r.body.robotId === marker && r.body.state === "silent"), 30_000);
    }
    resumed = false;
    await keepCalling;
    expect(hook.received.filter((r) => r.body.robotId === "bot-alert").map((r) => r.body.state)).toEqual(["silent", "active"]);
    expect(hook.received.map((r) => r.body.robotId)).toEqual(["bot-alert", "bot-alert", "bot-marker-1", "bot-marker-2"]);
    const metrics = await (await fetch(`${a.url}/api/metrics`)).text();
    expect(metrics).toMatch(/robot_last_callback_timestamp_seconds\{robot_id="bot-alert"\} \d+/);
  });
});
