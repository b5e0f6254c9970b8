// The silence monitor. Every app instance runs it; PostgreSQL decides which one acts:
// - a change of a robot's state is claimed by one upsert of robot_states whose WHERE only passes
//   for the first instance to see it, and the same statement queues one row in robot_alerts;
// - alerts are sent by whichever instance with a webhook claims them (FOR UPDATE SKIP LOCKED, then
//   a lease), and retried with backoff until the webhook takes them, oldest first per robot. An
//   instance without ALERT_WEBHOOK_URL leaves them to the others;
// - a new alert waits ALERT_GROUP_WAIT for others: the changes claimed together are sent as one
//   message per state, so a hundred robots going silent at once are one alert, not a hundred.
// The detection, the claim and the alerts' updates are SQL through the client (upserts, SKIP
// LOCKED, the database's clock, which the claim compares leases with); pruning is the model API.
import type { Db, DbTx } from "../db/client";
import { redactTarget } from "../forwarding/label";
import { log } from "../log";
import { metrics } from "../metrics/registry";
import { robotLastCallbacks } from "../robots/list";
import { accepted, alertBody, type AlertFormat, type AlertGroup, type AlertState } from "./messages";

export type MonitorOptions = {
  silentAfterMs: number;
  webhookUrl?: string;
  format: AlertFormat;
  /** The dashboard's address, for the links in each alert. */
  publicUrl: string;
  /** How long a new alert waits for others to join it (ALERT_GROUP_WAIT); 0 by default here. */
  groupWaitMs?: number;
  /** Longest one POST may take. */
  timeoutMs?: number;
  now?: () => Date;
};

/** Alerts one message may carry at most; more are sent in the next message. */
export const ALERTS_PER_MESSAGE = 500;

/** Records every robot whose state changed since the last look; returns the alerts queued. */
export async function detectTransitions(db: DbTx, silentAfterMs: number, now = new Date(), groupWaitMs = 0): Promise<{ robotId: string; state: string }[]> {
  // A robot seen for the first time gets its state without an alert: that is no change.
  return db.$queryRaw<{ robotId: string; state: string }[]>`WITH observed AS (
       SELECT "robotId", max("lastCallbackAt") AS last FROM robot_instances GROUP BY "robotId"
     ), states AS (
       SELECT "robotId", last,
              CASE WHEN last + ${silentAfterMs}::float8 * interval '1 millisecond' <= ${now} THEN 'silent' ELSE 'active' END AS state,
              CASE WHEN last + ${silentAfterMs}::float8 * interval '1 millisecond' <= ${now} THEN last + ${silentAfterMs}::float8 * interval '1 millisecond' ELSE last END AS since
       FROM observed
     ), changed AS (
       INSERT INTO robot_states AS s ("robotId", state, since)
       SELECT "robotId", state, since FROM states ORDER BY "robotId"
       ON CONFLICT ("robotId") DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since WHERE s.state <> EXCLUDED.state
       RETURNING s."robotId", s.state, (xmax <> 0) AS updated
     )
     INSERT INTO robot_alerts ("robotId", state, "lastCallbackAt", "nextAttemptAt")
     SELECT c."robotId", c.state, st.last, now() + ${groupWaitMs}::float8 * interval '1 millisecond' FROM changed c JOIN states st USING ("robotId") WHERE c.updated ORDER BY c."robotId"
     RETURNING "robotId", state`;
}

type QueuedAlert = { id: string; robotId: string; state: AlertState; lastCallbackAt: Date | null; attempts: number };

/**
 * Takes up to `limit` alerts for 60 s, each the oldest unsent of its robot: those due, and once one
 * is due, every other new one with it (they go out together). The lease and the due check are in
 * the locking subquery, so that a claimer that finds a row just claimed by another re-reads it and
 * leaves it; SKIP LOCKED lets it pass over a row another claimer holds instead of waiting for it.
 */
export async function claimAlerts(db: DbTx, limit = ALERTS_PER_MESSAGE): Promise<QueuedAlert[]> {
  return db.$queryRaw<QueuedAlert[]>`UPDATE robot_alerts SET "claimedUntil" = now() + interval '60 seconds', attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM robot_alerts o
       WHERE "deliveredAt" IS NULL AND ("claimedUntil" IS NULL OR "claimedUntil" < now())
         AND NOT EXISTS (SELECT 1 FROM robot_alerts p WHERE p."robotId" = o."robotId" AND p."deliveredAt" IS NULL AND p.id < o.id)
         AND ("nextAttemptAt" <= now() OR (attempts = 0 AND EXISTS (
           SELECT 1 FROM robot_alerts d WHERE d."deliveredAt" IS NULL AND d."nextAttemptAt" <= now() AND (d."claimedUntil" IS NULL OR d."claimedUntil" < now()))))
       ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
     RETURNING id::text, "robotId", state, "lastCallbackAt", attempts`;
}

/** The claimed alerts as messages: one per state, robots in id order. */
export function groupAlerts(alerts: QueuedAlert[], publicUrl: string): { group: AlertGroup; alerts: QueuedAlert[] }[] {
  const base = publicUrl.replace(/\/$/, "");
  const groups: { group: AlertGroup; alerts: QueuedAlert[] }[] = [];
  for (const state of ["silent", "active"] as const) {
    const of = alerts.filter((a) => a.state === state).sort((a, b) => (a.robotId < b.robotId ? -1 : a.robotId > b.robotId ? 1 : 0));
    if (of.length === 0) continue;
    const robots = of.map((a) => ({ robotId: a.robotId, lastCallbackAt: a.lastCallbackAt?.toISOString() ?? null, url: `${base}/robots/${encodeURIComponent(a.robotId)}` }));
    groups.push({ group: { state, robots, url: robots.length === 1 ? robots[0].url : `${base}/robots?state=${state}` }, alerts: of });
  }
  return groups;
}

async function post(group: AlertGroup, options: MonitorOptions): Promise<string | null> {
  try {
    const res = await fetch(options.webhookUrl!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alertBody(group, options.format)),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      redirect: "error",
    });
    const answer = await res.text();
    return accepted(res.status, answer) ? null : redactTarget(`HTTP ${res.status}: ${answer.slice(0, 200)}`, options.webhookUrl!);
  } catch (err) {
    // Hook URLs carry their token (WeCom's key=, DingTalk's access_token=, Feishu's path), and an
    // error may quote the URL (fetch refuses one with user:password and names it whole): what is
    // kept in robot_alerts and logged has them cut out, as the relay's targets do.
    return redactTarget((err as Error).message.split("\n")[0], options.webhookUrl!);
  }
}

/** Sends the alerts due, one message per state; a refused one waits 5 s, doubling to 5 min, before its next try. */
export async function sendAlerts(db: Db, options: MonitorOptions): Promise<number> {
  let sent = 0;
  for (const { group, alerts } of groupAlerts(await claimAlerts(db), options.publicUrl)) {
    const ids = alerts.map((a) => a.id);
    const robotIds = alerts.slice(0, 20).map((a) => a.robotId);
    const error = await post(group, options);
    if (error === null) {
      await db.$executeRaw`UPDATE robot_alerts SET "deliveredAt" = now(), "claimedUntil" = NULL, "lastError" = NULL WHERE id = ANY(${ids}::bigint[])`;
      log.info({ state: group.state, robots: alerts.length, robotIds }, "alert sent");
      sent += alerts.length;
    } else {
      const attempts = Math.max(...alerts.map((a) => a.attempts));
      const waitSeconds = Math.min(300, 5 * 2 ** (attempts - 1));
      await db.$executeRaw`UPDATE robot_alerts SET "claimedUntil" = NULL, "lastError" = ${error}, "nextAttemptAt" = now() + ${waitSeconds}::float8 * interval '1 second'
        WHERE id = ANY(${ids}::bigint[])`;
      log.warn({ state: group.state, robots: alerts.length, robotIds, attempt: attempts, error, retryInSeconds: waitSeconds }, "alert webhook failed; will retry");
    }
  }
  return sent;
}

/**
 * The robots' metric: one series per robot for the first ROBOT_METRIC_LABELS robot ids, and
 * `robot_id="other"` for the rest (their oldest last callback), so that robot ids taken from
 * callbacks cannot grow the metrics without bound.
 */
export async function updateRobotMetrics(db: Db): Promise<void> {
  const { labelled, others } = await robotLastCallbacks(db);
  metrics.robotLastCallback.reset();
  for (const r of labelled) metrics.robotLastCallback.set({ robot_id: r.robotId }, r.lastCallbackAt.getTime() / 1000);
  if (others) metrics.robotLastCallback.set({ robot_id: "other" }, others.oldestLastCallbackAt.getTime() / 1000);
}

/** One round: the robots' metric, their changes of state, and (with a webhook) the alerts due. */
export async function monitorOnce(db: Db, options: MonitorOptions): Promise<void> {
  const now = options.now?.() ?? new Date();
  await updateRobotMetrics(db);
  const changes = await detectTransitions(db, options.silentAfterMs, now, options.groupWaitMs ?? 0);
  for (const c of changes) log.info(c, c.state === "silent" ? "robot went silent" : "robot is active again");
  // Without a webhook the states are still kept (the pages and health read them) and the alerts
  // are left for an instance that has one: this one neither sends them nor marks them sent.
  if (options.webhookUrl) await sendAlerts(db, options);
}

/** What the monitor keeps: 30 days of robot hours and of sent alerts. */
export async function pruneRobotHistory(db: Db, now = new Date()): Promise<void> {
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
  await db.robotHourly.deleteMany({ where: { hour: { lt: daysAgo(30) } } });
  await db.robotAlert.deleteMany({ where: { deliveredAt: { lt: daysAgo(30) } } });
  // An alert no instance could send within a day (no instance has a webhook, or it kept refusing)
  // is news no longer: dropped, so that it holds back neither its robot's later alerts nor a
  // webhook configured later.
  const { count } = await db.robotAlert.deleteMany({ where: { deliveredAt: null, createdAt: { lt: daysAgo(1) } } });
  if (count) log.warn({ alerts: count }, "dropped alerts not sent within a day");
}

/** Runs `monitorOnce` every `intervalMs` (and prunes hourly) until the returned function is called. */
export function startMonitor(db: Db, options: MonitorOptions, intervalMs = 5000): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastPrune = 0;
  const round = async () => {
    try {
      await monitorOnce(db, options);
      if (Date.now() - lastPrune > 3_600_000) {
        lastPrune = Date.now();
        await pruneRobotHistory(db);
      }
    } catch (err) {
      log.error({ err: (err as Error).message.split("\n")[0] }, "robot monitor round failed; next round soon");
    }
  };
  const schedule = () => {
    if (stopped) return;
    running = round().finally(() => {
      if (!stopped) timer = setTimeout(schedule, intervalMs).unref();
    });
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
