// The robots: each one's latest activity, read from robot_instances and robot_hourly (kept by a
// trigger on deliveries), so a fleet's page costs a few index reads whatever the traffic.
import type { Pool } from "pg";

const HOUR = 3_600_000;

export type RobotActivity = "active" | "silent";

export type Robot = {
  robotId: string;
  instanceIds: string[];
  lastCallbackAt: string;
  lastVideoAt: string | null;
  state: RobotActivity;
  /** When the silence began: the last callback plus ROBOT_SILENT_AFTER. Null while active. */
  silentSince: string | null;
};

export type RobotOptions = { silentAfterMs: number; now?: Date };

/** A robot is silent once nothing came from it for `silentAfterMs`. */
export function activityOf(lastCallbackAt: Date, silentAfterMs: number, now: Date): { state: RobotActivity; silentSince: string | null } {
  const silentAt = lastCallbackAt.getTime() + silentAfterMs;
  return now.getTime() >= silentAt ? { state: "silent", silentSince: new Date(silentAt).toISOString() } : { state: "active", silentSince: null };
}

type Row = { robotId: string; instanceIds: string[]; lastCallbackAt: Date; lastVideoAt: Date | null };

function toRobot(row: Row, { silentAfterMs, now = new Date() }: RobotOptions): Robot {
  return {
    robotId: row.robotId,
    instanceIds: row.instanceIds,
    lastCallbackAt: row.lastCallbackAt.toISOString(),
    lastVideoAt: row.lastVideoAt?.toISOString() ?? null,
    ...activityOf(row.lastCallbackAt, silentAfterMs, now),
  };
}

const ROBOTS_SQL = `
SELECT "robotId", coalesce(array_agg("instanceId" ORDER BY "instanceId") FILTER (WHERE "instanceId" <> ''), '{}') AS "instanceIds",
       max("lastCallbackAt") AS "lastCallbackAt", max("lastVideoAt") AS "lastVideoAt"
FROM robot_instances`;

/** Every robot that ever called back, silent ones first, then by robotId. */
export async function listRobots(db: Pool, options: RobotOptions): Promise<Robot[]> {
  const { rows } = await db.query<Row>(`${ROBOTS_SQL} GROUP BY "robotId" ORDER BY "robotId"`);
  const robots = rows.map((r) => toRobot(r, options));
  return [...robots.filter((r) => r.state === "silent"), ...robots.filter((r) => r.state === "active")];
}

export type RobotInstanceActivity = { instanceId: string; lastCallbackAt: string; lastVideoAt: string | null; state: RobotActivity; silentSince: string | null };
export type HourCounts = { start: string; callbacks: number; videos: number };
export type RobotDetail = Robot & { instances: RobotInstanceActivity[]; hourly: HourCounts[] };

/** One robot with its instances and its callbacks and videos per hour over the last 24 hours. */
export async function getRobot(db: Pool, robotId: string, options: RobotOptions): Promise<RobotDetail | null> {
  const now = options.now ?? new Date();
  const firstHour = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR);
  const [robot, instances, hours] = await Promise.all([
    db.query<Row>(`${ROBOTS_SQL} WHERE "robotId" = $1 GROUP BY "robotId"`, [robotId]),
    db.query<{ instanceId: string; lastCallbackAt: Date; lastVideoAt: Date | null }>(
      `SELECT "instanceId", "lastCallbackAt", "lastVideoAt" FROM robot_instances WHERE "robotId" = $1 ORDER BY "lastCallbackAt" DESC`,
      [robotId],
    ),
    db.query<{ hour: Date; callbackCount: number; videoCount: number }>(
      `SELECT hour, "callbackCount", "videoCount" FROM robot_hourly WHERE "robotId" = $1 AND hour >= $2 ORDER BY hour`,
      [robotId, firstHour],
    ),
  ]);
  if (robot.rows.length === 0) return null;
  const hourly: HourCounts[] = Array.from({ length: 24 }, (_, i) => ({ start: new Date(firstHour.getTime() + i * HOUR).toISOString(), callbacks: 0, videos: 0 }));
  for (const h of hours.rows) {
    const bucket = hourly[Math.floor((h.hour.getTime() - firstHour.getTime()) / HOUR)];
    if (bucket) {
      bucket.callbacks += h.callbackCount;
      bucket.videos += h.videoCount;
    }
  }
  return {
    ...toRobot(robot.rows[0], { ...options, now }),
    instances: instances.rows.map((i) => ({
      instanceId: i.instanceId,
      lastCallbackAt: i.lastCallbackAt.toISOString(),
      lastVideoAt: i.lastVideoAt?.toISOString() ?? null,
      ...activityOf(i.lastCallbackAt, options.silentAfterMs, now),
    })),
    hourly,
  };
}
