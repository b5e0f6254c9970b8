// The silence monitor. Every app instance runs it; PostgreSQL decides which one acts:
// - a change of a robot's state is claimed by one upsert of robot_states whose WHERE only passes
//   for the first instance to see it, and the same statement queues one row in robot_alerts;
// - an alert is sent by whichever instance claims it (FOR UPDATE SKIP LOCKED, then a lease), and
//   retried with backoff until the webhook takes it, oldest first per robot.
import type { Pool } from "pg";
import { log } from "../log";
import { metrics } from "../metrics/registry";
import { listRobots } from "../robots/list";
import { accepted, alertBody, type AlertFormat } from "./messages";

export type MonitorOptions = {
  silentAfterMs: number;
  webhookUrl?: string;
  format: AlertFormat;
  /** The dashboard's address, for the link in each alert. */
  publicUrl: string;
  /** Longest one POST may take. */
  timeoutMs?: number;
  now?: () => Date;
};

/** Records every robot whose state changed since the last look; returns the alerts queued. */
export async function detectTransitions(db: Pool, silentAfterMs: number, now = new Date()): Promise<{ robotId: string; state: string }[]> {
  // A robot seen for the first time gets its state without an alert: that is no change.
  const { rows } = await db.query<{ robotId: string; state: string }>(
    `WITH observed AS (
       SELECT "robotId", max("lastCallbackAt") AS last FROM robot_instances GROUP BY "robotId"
     ), states AS (
       SELECT "robotId", last,
              CASE WHEN last + $2 * interval '1 millisecond' <= $1 THEN 'silent' ELSE 'active' END AS state,
              CASE WHEN last + $2 * interval '1 millisecond' <= $1 THEN last + $2 * interval '1 millisecond' ELSE last END AS since
       FROM observed
     ), changed AS (
       INSERT INTO robot_states AS s ("robotId", state, since)
       SELECT "robotId", state, since FROM states ORDER BY "robotId"
       ON CONFLICT ("robotId") DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since WHERE s.state <> EXCLUDED.state
       RETURNING s."robotId", s.state, (xmax <> 0) AS updated
     )
     INSERT INTO robot_alerts ("robotId", state, "lastCallbackAt")
     SELECT c."robotId", c.state, st.last FROM changed c JOIN states st USING ("robotId") WHERE c.updated ORDER BY c."robotId"
     RETURNING "robotId", state`,
    [now, silentAfterMs],
  );
  return rows;
}

type QueuedAlert = { id: string; robotId: string; state: "active" | "silent"; lastCallbackAt: Date | null; attempts: number };

/** Takes up to `limit` alerts due for sending, each the oldest unsent of its robot, for 60 s. */
export async function claimAlerts(db: Pool, limit = 20): Promise<QueuedAlert[]> {
  const { rows } = await db.query<QueuedAlert>(
    `UPDATE robot_alerts SET "claimedUntil" = now() + interval '60 seconds', attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM robot_alerts o
       WHERE "deliveredAt" IS NULL AND "nextAttemptAt" <= now() AND ("claimedUntil" IS NULL OR "claimedUntil" < now())
         AND NOT EXISTS (SELECT 1 FROM robot_alerts p WHERE p."robotId" = o."robotId" AND p."deliveredAt" IS NULL AND p.id < o.id)
       ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id::text, "robotId", state, "lastCallbackAt", attempts`,
    [limit],
  );
  return rows;
}

async function post(alert: QueuedAlert, options: MonitorOptions): Promise<string | null> {
  const url = `${options.publicUrl.replace(/\/$/, "")}/robots/${encodeURIComponent(alert.robotId)}`;
  const body = alertBody({ robotId: alert.robotId, state: alert.state, lastCallbackAt: alert.lastCallbackAt?.toISOString() ?? null, url }, options.format);
  try {
    const res = await fetch(options.webhookUrl!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      redirect: "error",
    });
    const answer = await res.text();
    return accepted(res.status, answer) ? null : `HTTP ${res.status}: ${answer.slice(0, 200)}`;
  } catch (err) {
    return (err as Error).message.split("\n")[0];
  }
}

/** Sends the alerts due; a refused one waits 5 s, doubling to 5 min, before its next try. */
export async function sendAlerts(db: Pool, options: MonitorOptions): Promise<number> {
  const alerts = await claimAlerts(db);
  let sent = 0;
  for (const alert of alerts) {
    const error = await post(alert, options);
    if (error === null) {
      await db.query(`UPDATE robot_alerts SET "deliveredAt" = now(), "claimedUntil" = NULL, "lastError" = NULL WHERE id = $1`, [alert.id]);
      log.info({ robotId: alert.robotId, state: alert.state }, "alert sent");
      sent++;
    } else {
      const waitSeconds = Math.min(300, 5 * 2 ** (alert.attempts - 1));
      await db.query(
        `UPDATE robot_alerts SET "claimedUntil" = NULL, "lastError" = $2, "nextAttemptAt" = now() + $3 * interval '1 second' WHERE id = $1`,
        [alert.id, error, waitSeconds],
      );
      log.warn({ robotId: alert.robotId, state: alert.state, attempt: alert.attempts, error, retryInSeconds: waitSeconds }, "alert webhook failed; will retry");
    }
  }
  return sent;
}

/** One round: the robots' metric, their changes of state, and the alerts due. */
export async function monitorOnce(db: Pool, options: MonitorOptions): Promise<void> {
  const now = options.now?.() ?? new Date();
  const robots = await listRobots(db, { silentAfterMs: options.silentAfterMs, now });
  for (const r of robots) metrics.robotLastCallback.set({ robot_id: r.robotId }, Date.parse(r.lastCallbackAt) / 1000);
  const changes = await detectTransitions(db, options.silentAfterMs, now);
  for (const c of changes) log.info(c, c.state === "silent" ? "robot went silent" : "robot is active again");
  // Without a webhook the states are still kept (the pages and health read them); nothing is sent.
  if (options.webhookUrl) await sendAlerts(db, options);
  else if (changes.length > 0) await db.query(`UPDATE robot_alerts SET "deliveredAt" = now(), "lastError" = 'no ALERT_WEBHOOK_URL' WHERE "deliveredAt" IS NULL`);
}

/** What the monitor keeps: 30 days of robot hours and of sent alerts. */
export async function pruneRobotHistory(db: Pool): Promise<void> {
  await db.query(`DELETE FROM robot_hourly WHERE hour < now() - interval '30 days'`);
  await db.query(`DELETE FROM robot_alerts WHERE "deliveredAt" < now() - interval '30 days'`);
}

/** Runs `monitorOnce` every `intervalMs` (and prunes hourly) until the returned function is called. */
export function startMonitor(db: Pool, options: MonitorOptions, intervalMs = 5000): () => Promise<void> {
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
