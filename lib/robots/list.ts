// The robots: each one's latest activity, read from robot_instances and robot_hourly (kept by a
// trigger on deliveries), so a fleet's page costs a few index reads whatever the traffic.
// Robot ids and instance ids come from callbacks: every list here is paged or capped, so that
// neither a fleet of thousands nor one robot with thousands of instance ids makes a page heavy.
// The robot's detail (its instances, its hours) is read with the model API; the ranked lists and
// counts, aggregates over robot_instances, are SQL through the client.
import type { Db } from "../db/client";
import { z } from "zod";
import { optionalText, parseQuery } from "../params";
import { afterRankKeySql, cursorParam, decodeRankKeyCursor, encodeRankKeyCursor, limitParam, pageFrom, type RankKeyCursor } from "../shared/paging";
import { bind } from "../shared/sql";
import { getLabel, labelMatchSql, labelsOf } from "../labels/labels";

const HOUR = 3_600_000;

/** A robot's instance ids listed with it; `instanceCount` says how many there are. */
export const INSTANCES_LISTED = 10;
/** Instances on one robot's page, latest first. */
export const INSTANCES_SHOWN = 100;

export type RobotActivity = "active" | "silent";

export type Robot = {
  robotId: string;
  /** The name an operator gave it (lib/labels), or null. */
  label: string | null;
  /** The first INSTANCES_LISTED instance ids, in order. */
  instanceIds: string[];
  instanceCount: number;
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

/** `GET /api/robots` and `/robots`: `state` (silent | active), `q` (part of a robot id or of its label), keyset paging. */
export const robotQuerySchema = z.object({
  state: optionalText.pipe(z.enum(["silent", "active"], { error: "must be silent or active" }).optional()),
  q: optionalText,
  cursor: cursorParam(decodeRankKeyCursor),
  limit: limitParam,
});

export type RobotQuery = { state?: RobotActivity; q?: string; cursor?: RankKeyCursor; limit: number };

export function parseRobotQuery(params: URLSearchParams): RobotQuery {
  return parseQuery(robotQuerySchema, params);
}

type Row = { robotId: string; instanceIds: string[]; instanceCount: number; lastCallbackAt: Date; lastVideoAt: Date | null; rank: number };

function toRobot(row: Row, label: string | null, { silentAfterMs, now = new Date() }: RobotOptions): Robot {
  return {
    robotId: row.robotId,
    label,
    instanceIds: row.instanceIds,
    instanceCount: row.instanceCount,
    lastCallbackAt: row.lastCallbackAt.toISOString(),
    lastVideoAt: row.lastVideoAt?.toISOString() ?? null,
    ...activityOf(row.lastCallbackAt, silentAfterMs, now),
  };
}

/**
 * Each robot's latest activity and its rank: 0 silent, 1 active (as of `$1`, the moment before
 * which a last callback means silence). A fleet is hundreds or thousands of rows of
 * robot_instances: the aggregate is cheap; the instance ids are read for the page's rows only.
 */
const RANKED_SQL = `
WITH robots AS (
  SELECT "robotId", max("lastCallbackAt") AS "lastCallbackAt", max("lastVideoAt") AS "lastVideoAt",
         (count(*) FILTER (WHERE "instanceId" <> ''))::int AS "instanceCount"
  FROM robot_instances GROUP BY "robotId"
), ranked AS (
  SELECT *, CASE WHEN "lastCallbackAt" <= $1 THEN 0 ELSE 1 END AS rank FROM robots
)`;

const INSTANCE_IDS_SQL = `coalesce((SELECT array_agg("instanceId" ORDER BY "instanceId") FROM (
    SELECT "instanceId" FROM robot_instances i WHERE i."robotId" = ranked."robotId" AND "instanceId" <> '' ORDER BY "instanceId" LIMIT ${INSTANCES_LISTED}) listed), '{}')`;

function silentBefore({ silentAfterMs, now = new Date() }: RobotOptions): Date {
  return new Date(now.getTime() - silentAfterMs);
}

/** A page of robots, silent ones first, then by robotId. */
export async function listRobots(db: Db, query: RobotQuery, options: RobotOptions) {
  const now = options.now ?? new Date();
  const params: unknown[] = [silentBefore({ ...options, now })];
  const where = [afterRankKeySql(query.cursor, "rank", `"robotId"`, params)];
  if (query.state) where.push(`rank = ${query.state === "silent" ? 0 : 1}`);
  if (query.q) {
    const q = bind(params, query.q);
    where.push(`(strpos(lower("robotId"), lower(${q})) > 0 OR ${labelMatchSql("robot", `"robotId"`, q)})`);
  }
  const rows = await db.$queryRawUnsafe<Row[]>(
    `${RANKED_SQL}
     SELECT "robotId", ${INSTANCE_IDS_SQL} AS "instanceIds", "instanceCount", "lastCallbackAt", "lastVideoAt", rank
     FROM ranked WHERE ${where.join(" AND ")} ORDER BY rank, "robotId" LIMIT ${bind(params, query.limit + 1)}`,
    ...params,
  );
  const labels = await labelsOf(db, "robot", rows.map((r) => r.robotId));
  return pageFrom(rows, query.limit, (r) => toRobot(r, labels.get(r.robotId) ?? null, { ...options, now }), (last) => encodeRankKeyCursor({ rank: last.rank, key: last.robotId }));
}

export type RobotCounts = { total: number; silent: number };

/** How many robots there are, and how many of them are silent. */
export async function countRobots(db: Db, options: RobotOptions): Promise<RobotCounts> {
  const rows = await db.$queryRawUnsafe<RobotCounts[]>(
    `${RANKED_SQL} SELECT count(*)::int AS total, (count(*) FILTER (WHERE rank = 0))::int AS silent FROM ranked`,
    silentBefore(options),
  );
  return rows[0];
}

export type RobotInstanceActivity = { instanceId: string; lastCallbackAt: string; lastVideoAt: string | null; state: RobotActivity; silentSince: string | null };
export type HourCounts = { start: string; callbacks: number; videos: number };
export type RobotDetail = Robot & { instances: RobotInstanceActivity[]; hourly: HourCounts[] };

/**
 * One robot with its INSTANCES_SHOWN latest instances and its callbacks and videos per hour over
 * the last 24 hours.
 */
export async function getRobot(db: Db, robotId: string, options: RobotOptions): Promise<RobotDetail | null> {
  const now = options.now ?? new Date();
  const firstHour = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR);
  const [robot, instances, hours, label] = await Promise.all([
    db.$queryRawUnsafe<Row[]>(
      `${RANKED_SQL} SELECT "robotId", ${INSTANCE_IDS_SQL} AS "instanceIds", "instanceCount", "lastCallbackAt", "lastVideoAt", rank FROM ranked WHERE "robotId" = $2`,
      silentBefore({ ...options, now }),
      robotId,
    ),
    db.robotInstance.findMany({
      where: { robotId },
      select: { instanceId: true, lastCallbackAt: true, lastVideoAt: true },
      orderBy: [{ lastCallbackAt: "desc" }, { instanceId: "asc" }],
      take: INSTANCES_SHOWN,
    }),
    db.robotHourly.findMany({ where: { robotId, hour: { gte: firstHour } }, select: { hour: true, callbackCount: true, videoCount: true }, orderBy: { hour: "asc" } }),
    getLabel(db, "robot", robotId),
  ]);
  if (robot.length === 0) return null;
  const hourly: HourCounts[] = Array.from({ length: 24 }, (_, i) => ({ start: new Date(firstHour.getTime() + i * HOUR).toISOString(), callbacks: 0, videos: 0 }));
  for (const h of hours) {
    const bucket = hourly[Math.floor((h.hour.getTime() - firstHour.getTime()) / HOUR)];
    if (bucket) {
      bucket.callbacks += h.callbackCount;
      bucket.videos += h.videoCount;
    }
  }
  return {
    ...toRobot(robot[0], label, { ...options, now }),
    instances: instances.map((i) => ({
      instanceId: i.instanceId,
      lastCallbackAt: i.lastCallbackAt.toISOString(),
      lastVideoAt: i.lastVideoAt?.toISOString() ?? null,
      ...activityOf(i.lastCallbackAt, options.silentAfterMs, now),
    })),
    hourly,
  };
}

/** Robots with their own series in the metrics; the rest share `robot_id="other"`. */
export const ROBOT_METRIC_LABELS = 1000;

export type RobotLastCallbacks = { labelled: { robotId: string; lastCallbackAt: Date }[]; others: { count: number; oldestLastCallbackAt: Date } | null };

/**
 * The last callback of the first `labels` robots by id, and of the rest the oldest one (so that a
 * rule on `max by (robot_id)` still fires when any of them is silent) and how many they are.
 */
export async function robotLastCallbacks(db: Db, labels = ROBOT_METRIC_LABELS): Promise<RobotLastCallbacks> {
  const rows = await db.$queryRaw<{ robotId: string | null; last: Date; n: number }[]>`WITH robots AS (
       SELECT "robotId", max("lastCallbackAt") AS last, row_number() OVER (ORDER BY "robotId") AS i FROM robot_instances GROUP BY "robotId"
     )
     SELECT "robotId", last, 1 AS n FROM robots WHERE i <= ${labels}
     UNION ALL
     SELECT NULL, min(last), count(*)::int FROM robots WHERE i > ${labels} HAVING count(*) > 0`;
  const others = rows.find((r) => r.robotId === null);
  return {
    labelled: rows.filter((r) => r.robotId !== null).map((r) => ({ robotId: r.robotId!, lastCallbackAt: r.last })),
    others: others ? { count: others.n, oldestLastCallbackAt: others.last } : null,
  };
}
