import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { claimAlerts, detectTransitions } from "../alerts/monitor";
import { receiveDelivery } from "../ingest/store";
import { postVideo } from "../../test/support/example-video";
import { metrics } from "../metrics/registry";
import { updateRobotMetrics } from "../alerts/monitor";
import { decodeRankKeyCursor } from "../shared/paging";
import { countRobots, getRobot, INSTANCES_LISTED, INSTANCES_SHOWN, listRobots, parseRobotQuery, ROBOT_METRIC_LABELS } from "./list";

const db = useTestDatabase();
const MINUTE = 60_000;
const event = (code: string, data: Record<string, unknown>) => Buffer.from(JSON.stringify({ event: code, time: Date.now(), data }));

describe("robots", () => {
  it("counts every event of a robot, per instance and per hour, and says when it fell silent", async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const t0 = new Date(hour - 2 * 3_600_000 + 10 * MINUTE);
    await receiveDelivery(db.client, event("30001", { robotId: "bot-a", instanceId: "inst-1" }), t0);
    await receiveDelivery(db.client, event("30001", { robotId: 42, instanceId: "inst-2" }), new Date(t0.getTime() + MINUTE));
    await postVideo(db.client, { robotId: "bot-a", instanceId: "inst-2" });
    // A video whose payload fails validation still is a callback from its robot.
    await receiveDelivery(db.client, event("20004", { robotId: "bot-a", instanceId: "inst-1" }), new Date(t0.getTime() + 2 * MINUTE));
    await receiveDelivery(db.client, Buffer.from("not json"));

    const now = new Date();
    const { items: robots } = await listRobots(db.client, { limit: 50 }, { silentAfterMs: 30 * MINUTE, now });
    const a = robots.find((r) => r.robotId === "bot-a")!;
    expect(a).toMatchObject({ instanceIds: ["inst-1", "inst-2"], instanceCount: 2, state: "active", silentSince: null });
    expect(Date.parse(a.lastVideoAt!)).toBeGreaterThan(now.getTime() - MINUTE);
    expect(robots.find((r) => r.robotId === "42")).toMatchObject({ instanceIds: ["inst-2"], lastVideoAt: null, state: "silent" });
    expect(robots.find((r) => r.robotId === "42")!.silentSince).toBe(new Date(t0.getTime() + MINUTE + 30 * MINUTE).toISOString());
    expect(robots[0].state).toBe("silent");

    const detail = await getRobot(db.client, "bot-a", { silentAfterMs: 30 * MINUTE, now });
    expect(detail!.instances.map((i) => i.instanceId).sort()).toEqual(["inst-1", "inst-2"]);
    expect(detail!.hourly).toHaveLength(24);
    const start = new Date(hour - 2 * 3_600_000).toISOString();
    expect(detail!.hourly.find((h) => h.start === start)).toEqual({ start, callbacks: 2, videos: 0 });
    expect(detail!.hourly.at(-1)).toMatchObject({ callbacks: 1, videos: 1 });
    expect(await getRobot(db.client, "nobody", { silentAfterMs: MINUTE })).toBeNull();
  });

  it("records each change of state once, however many instances look at the same moment", async () => {
    const t0 = new Date("2026-11-29T10:00:00Z");
    await receiveDelivery(db.client, event("30001", { robotId: "bot-flap", instanceId: "i" }), t0);
    const look = (at: number) => Promise.all(Array.from({ length: 6 }, () => detectTransitions(db.client, 30 * MINUTE, new Date(at))));
    const changes = (rounds: { robotId: string; state: string }[][]) => rounds.flat().filter((c) => c.robotId === "bot-flap");

    expect(changes(await look(t0.getTime() + MINUTE))).toEqual([]); // first seen: no change
    expect(changes(await look(t0.getTime() + 31 * MINUTE))).toEqual([{ robotId: "bot-flap", state: "silent" }]);
    expect(changes(await look(t0.getTime() + 32 * MINUTE))).toEqual([]);
    await receiveDelivery(db.client, event("30001", { robotId: "bot-flap", instanceId: "i" }), new Date(t0.getTime() + 40 * MINUTE));
    expect(changes(await look(t0.getTime() + 40 * MINUTE + 1000))).toEqual([{ robotId: "bot-flap", state: "active" }]);

    // Two senders claiming at once get disjoint alerts, the robot's oldest first, one at a time.
    const claims = await Promise.all([claimAlerts(db.client), claimAlerts(db.client)]);
    const flap = claims.flat().filter((a) => a.robotId === "bot-flap");
    expect(flap.map((a) => a.state)).toEqual(["silent"]);
    expect(changes([await claimAlerts(db.client)])).toEqual([]);
  });

  it("pages a fleet: silent ones first, then by id, each robot once, filtered by state or part of the id", async () => {
    // 130 robots of the longest id the callback accepts: 90 silent, 40 active.
    const now = new Date();
    await db.pool.query(
      `INSERT INTO robot_instances ("robotId", "instanceId", "lastCallbackAt")
       SELECT 'fleet-' || lpad(i::text, 4, '0') || repeat('x', 54), 'i', $1::timestamptz - CASE WHEN i % 13 < 9 THEN interval '2 hours' ELSE interval '1 minute' END
       FROM generate_series(1, 130) i`,
      [now],
    );
    const options = { silentAfterMs: 30 * MINUTE, now };
    const walk = async (params: string) => {
      const seen: { robotId: string; state: string }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query = parseRobotQuery(new URLSearchParams(`${params}&limit=40${cursor ? `&cursor=${cursor}` : ""}`));
        const page = await listRobots(db.client, query, options);
        expect(page.items.length).toBeLessThanOrEqual(40);
        seen.push(...page.items.map((r) => ({ robotId: r.robotId, state: r.state })));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      return { seen, pages };
    };
    const all = await walk("q=fleet-");
    expect(all.pages).toBe(4);
    expect(all.seen).toHaveLength(130);
    expect(new Set(all.seen.map((r) => r.robotId)).size).toBe(130);
    const silent = all.seen.filter((r) => r.state === "silent");
    expect(silent).toHaveLength(90);
    expect(all.seen.slice(0, 90)).toEqual(silent);
    expect(silent.map((r) => r.robotId)).toEqual([...silent.map((r) => r.robotId)].sort());
    expect(all.seen.every((r) => r.robotId.length === 64)).toBe(true);

    expect((await walk("state=silent&q=FLEET")).seen).toEqual(silent);
    expect((await walk("state=active&q=fleet")).seen.map((r) => r.state)).toEqual(Array(40).fill("active"));
    expect((await walk("q=fleet-0007")).seen.map((r) => r.robotId)).toEqual([`fleet-0007${"x".repeat(54)}`]);
    expect((await walk("q=nothing-like-it")).seen).toEqual([]);

    const counts = await countRobots(db.client, options);
    const before = await countRobots(db.client, { silentAfterMs: 30 * MINUTE, now: new Date(now.getTime() - 3 * 3_600_000) });
    expect(counts.total - before.total).toBe(0);
    expect(counts.silent).toBeGreaterThanOrEqual(90);
    expect(() => parseRobotQuery(new URLSearchParams("state=asleep"))).toThrow(/state: must be silent or active/);
    expect(() => parseRobotQuery(new URLSearchParams("cursor=nonsense"))).toThrow(/malformed cursor/);
    expect(decodeRankKeyCursor((await listRobots(db.client, { limit: 1 }, options)).nextCursor!)).toMatchObject({ rank: 0 });
  });

  it("lists a few instance ids with a robot and counts the rest; a robot's page shows its latest 100", async () => {
    const now = new Date();
    await db.pool.query(
      `INSERT INTO robot_instances ("robotId", "instanceId", "lastCallbackAt")
       SELECT 'bot-many', 'inst-' || lpad(i::text, 4, '0'), $1::timestamptz - i * interval '1 second' FROM generate_series(1, 150) i`,
      [now],
    );
    const { items } = await listRobots(db.client, { q: "bot-many", limit: 5 }, { silentAfterMs: 30 * MINUTE, now });
    expect(items[0]).toMatchObject({ robotId: "bot-many", instanceCount: 150 });
    expect(items[0].instanceIds).toEqual(Array.from({ length: INSTANCES_LISTED }, (_, i) => `inst-${String(i + 1).padStart(4, "0")}`));
    const detail = await getRobot(db.client, "bot-many", { silentAfterMs: 30 * MINUTE, now });
    expect(detail!.instances).toHaveLength(INSTANCES_SHOWN);
    expect(detail!.instances[0].instanceId).toBe("inst-0001");
    expect(detail!.instanceCount).toBe(150);
  });

  it("gives each of the first 1,000 robots its own metric series, and the rest one series of their oldest last callback", async () => {
    const now = Date.now();
    await db.pool.query(
      `INSERT INTO robot_instances ("robotId", "instanceId", "lastCallbackAt")
       SELECT 'zz-metric-' || lpad(i::text, 5, '0'), '', to_timestamp($1::float8 / 1000) - i * interval '1 second' FROM generate_series(1, $2::int) i`,
      [now, ROBOT_METRIC_LABELS + 20],
    );
    await updateRobotMetrics(db.client);
    const series = (await metrics.robotLastCallback.get()).values;
    expect(series).toHaveLength(ROBOT_METRIC_LABELS + 1);
    const other = series.find((v) => v.labels.robot_id === "other");
    // Robots sort before "zz-metric-…": the last ones past the cap are the oldest of this fleet.
    expect(other!.value).toBeCloseTo((now - (ROBOT_METRIC_LABELS + 20) * 1000) / 1000, 2);
    expect(series.some((v) => v.labels.robot_id === `zz-metric-${String(ROBOT_METRIC_LABELS + 20).padStart(5, "0")}`)).toBe(false);
  });

  it("counts no robot for an id outside the rule, whatever writes it into the deliveries log", async () => {
    await db.pool.query(
      `INSERT INTO deliveries ("eventCode", outcome, "httpStatus", "bodyBytes", "receivedAt", "robotId") VALUES ('30001', 'other_event', 200, 2, now(), $1), ('30001', 'other_event', 200, 2, now(), $2)`,
      ["x".repeat(10_000), "<!channel>"],
    );
    const { items } = await listRobots(db.client, { q: "channel", limit: 5 }, { silentAfterMs: 30 * MINUTE });
    expect(items).toEqual([]);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM robot_instances WHERE length("robotId") > 64 OR "robotId" LIKE '%<%'`);
    expect(rows[0].n).toBe(0);
  });
});
