import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { claimAlerts, detectTransitions } from "../alerts/monitor";
import { receiveDelivery } from "../ingest/store";
import { postVideo } from "../../test/support/example-video";
import { getRobot, listRobots } from "./list";

const db = useTestDatabase();
const MINUTE = 60_000;
const event = (code: string, data: Record<string, unknown>) => Buffer.from(JSON.stringify({ event: code, time: Date.now(), data }));

describe("robots", () => {
  it("counts every event of a robot, per instance and per hour, and says when it fell silent", async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const t0 = new Date(hour - 2 * 3_600_000 + 10 * MINUTE);
    await receiveDelivery(db.pool, event("30001", { robotId: "bot-a", instanceId: "inst-1" }), t0);
    await receiveDelivery(db.pool, event("30001", { robotId: 42, instanceId: "inst-2" }), new Date(t0.getTime() + MINUTE));
    await postVideo(db.pool, { robotId: "bot-a", instanceId: "inst-2" });
    // A video whose payload fails validation still is a callback from its robot.
    await receiveDelivery(db.pool, event("20004", { robotId: "bot-a", instanceId: "inst-1" }), new Date(t0.getTime() + 2 * MINUTE));
    await receiveDelivery(db.pool, Buffer.from("not json"));

    const now = new Date();
    const robots = await listRobots(db.pool, { silentAfterMs: 30 * MINUTE, now });
    const a = robots.find((r) => r.robotId === "bot-a")!;
    expect(a).toMatchObject({ instanceIds: ["inst-1", "inst-2"], state: "active", silentSince: null });
    expect(Date.parse(a.lastVideoAt!)).toBeGreaterThan(now.getTime() - MINUTE);
    expect(robots.find((r) => r.robotId === "42")).toMatchObject({ instanceIds: ["inst-2"], lastVideoAt: null, state: "silent" });
    expect(robots.find((r) => r.robotId === "42")!.silentSince).toBe(new Date(t0.getTime() + MINUTE + 30 * MINUTE).toISOString());
    expect(robots[0].state).toBe("silent");

    const detail = await getRobot(db.pool, "bot-a", { silentAfterMs: 30 * MINUTE, now });
    expect(detail!.instances.map((i) => i.instanceId).sort()).toEqual(["inst-1", "inst-2"]);
    expect(detail!.hourly).toHaveLength(24);
    const start = new Date(hour - 2 * 3_600_000).toISOString();
    expect(detail!.hourly.find((h) => h.start === start)).toEqual({ start, callbacks: 2, videos: 0 });
    expect(detail!.hourly.at(-1)).toMatchObject({ callbacks: 1, videos: 1 });
    expect(await getRobot(db.pool, "nobody", { silentAfterMs: MINUTE })).toBeNull();
  });

  it("records each change of state once, however many instances look at the same moment", async () => {
    const t0 = new Date("2026-11-29T10:00:00Z");
    await receiveDelivery(db.pool, event("30001", { robotId: "bot-flap", instanceId: "i" }), t0);
    const look = (at: number) => Promise.all(Array.from({ length: 6 }, () => detectTransitions(db.pool, 30 * MINUTE, new Date(at))));
    const changes = (rounds: { robotId: string; state: string }[][]) => rounds.flat().filter((c) => c.robotId === "bot-flap");

    expect(changes(await look(t0.getTime() + MINUTE))).toEqual([]); // first seen: no change
    expect(changes(await look(t0.getTime() + 31 * MINUTE))).toEqual([{ robotId: "bot-flap", state: "silent" }]);
    expect(changes(await look(t0.getTime() + 32 * MINUTE))).toEqual([]);
    await receiveDelivery(db.pool, event("30001", { robotId: "bot-flap", instanceId: "i" }), new Date(t0.getTime() + 40 * MINUTE));
    expect(changes(await look(t0.getTime() + 40 * MINUTE + 1000))).toEqual([{ robotId: "bot-flap", state: "active" }]);

    // Two senders claiming at once get disjoint alerts, the robot's oldest first, one at a time.
    const claims = await Promise.all([claimAlerts(db.pool), claimAlerts(db.pool)]);
    const flap = claims.flat().filter((a) => a.robotId === "bot-flap");
    expect(flap.map((a) => a.state)).toEqual(["silent"]);
    expect(changes([await claimAlerts(db.pool)])).toEqual([]);
  });
});
