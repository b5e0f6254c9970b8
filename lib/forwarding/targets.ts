// Relay targets: the URLs of FORWARD_URLS, kept in a table so the trigger on deliveries can
// queue a row per target in the recording transaction, and so they can be paused and watched.
// Pausing and resuming are CRUD-shaped (the model API); syncing and the summaries are SQL.
import type { Db } from "../db/client";
import { targetLabel } from "./label";
import { retryAllFailed, retryFailed } from "./outbox";

export type TargetConfig = { urls: string[]; events: string[] | null };

/**
 * Makes the table say what this instance was configured with: the URLs listed are active (with
 * these event codes), any other target inactive. Several instances are expected to share one
 * configuration; the last one started wins. Returns the active targets' ids, in FORWARD_URLS order.
 */
export async function syncTargets(db: Db, cfg: TargetConfig): Promise<number[]> {
  const rows = await db.$queryRaw<{ id: number; url: string }[]>`WITH listed AS (
       INSERT INTO forward_targets (url, events, active) SELECT u, ${cfg.events}::text[], true FROM unnest(${cfg.urls}::text[]) AS u
       ON CONFLICT (url) DO UPDATE SET events = EXCLUDED.events, active = true
       RETURNING id, url
     ), others AS (
       UPDATE forward_targets SET active = false WHERE active AND NOT (url = ANY (${cfg.urls}::text[]))
     )
     SELECT id, url FROM listed`;
  return cfg.urls.map((u) => rows.find((r) => r.url === u)!.id);
}

export async function setPaused(db: Db, targetId: number, paused: boolean): Promise<boolean> {
  const { count } = await db.forwardTarget.updateMany({ where: { id: targetId }, data: { paused } });
  return count === 1;
}

export const TARGET_ACTIONS = ["pause", "resume", "retry", "retry-failed"] as const;

/** `retried`: how many failed deliveries went back to pending (retry, retry-failed). */
export type OperateResult = { kind: "done"; retried?: number } | { kind: "not_found" | "bad_request"; error: string };

/** The /forwarding page's buttons: pause or resume a target, retry one of its failed deliveries or all of them. */
export async function operateTarget(db: Db, id: string, action: (typeof TARGET_ACTIONS)[number], deliveryId?: unknown): Promise<OperateResult> {
  if (!/^\d{1,9}$/.test(id)) return { kind: "not_found", error: `no relay target ${id}` };
  const targetId = Number(id);
  if (action === "retry-failed") {
    const exists = await db.forwardTarget.findUnique({ where: { id: targetId }, select: { id: true } });
    return exists ? { kind: "done", retried: await retryAllFailed(db, targetId) } : { kind: "not_found", error: `no relay target ${id}` };
  }
  if (action !== "retry") {
    return (await setPaused(db, targetId, action === "pause")) ? { kind: "done" } : { kind: "not_found", error: `no relay target ${id}` };
  }
  if (typeof deliveryId !== "string" || !/^\d{1,18}$/.test(deliveryId)) return { kind: "bad_request", error: 'expected {"deliveryId": "<digits>"}' };
  return (await retryFailed(db, deliveryId, targetId))
    ? { kind: "done", retried: 1 }
    : { kind: "not_found", error: `delivery ${deliveryId} has not failed for relay target ${id}` };
}

export type TargetSummary = {
  id: number;
  target: string;
  active: boolean;
  paused: boolean;
  events: string[] | null;
  backlog: number;
  /** Seconds since the oldest pending delivery was received; null when nothing is pending. */
  oldestPendingSeconds: number | null;
  /** Delivered attempts over all attempts in the last hour; null without any attempt. */
  successRate: number | null;
  attemptsLastHour: number;
  failed: number;
  lastError: string | null;
  lastErrorAt: string | null;
};

type SummaryRow = Omit<TargetSummary, "target" | "lastErrorAt"> & { url: string; lastErrorAt: Date | null; delivered: number; attempts: number };

/** Every target that is active or still has history, with its backlog and recent success. */
export async function targetSummaries(db: Db): Promise<TargetSummary[]> {
  const rows = await db.$queryRaw<SummaryRow[]>`SELECT t.id, t.url, t.active, t.paused, t.events, t."lastError", t."lastErrorAt",
            p.backlog, p.oldest AS "oldestPendingSeconds", f.failed, m.delivered, m.attempts
     FROM forward_targets t
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS backlog, extract(epoch FROM now() - min(o."createdAt"))::float8 AS oldest
       FROM forward_outbox o WHERE o."targetId" = t.id AND o.state = 'pending'
     ) p
     CROSS JOIN LATERAL (SELECT count(*)::int AS failed FROM forward_outbox o WHERE o."targetId" = t.id AND o.state = 'failed') f
     CROSS JOIN LATERAL (
       SELECT coalesce(sum(delivered), 0)::int AS delivered, coalesce(sum(delivered + failed), 0)::int AS attempts
       FROM forward_minutes WHERE "targetId" = t.id AND minute > now() - interval '1 hour'
     ) m
     WHERE t.active OR p.backlog > 0 OR f.failed > 0
     ORDER BY t.id`;
  return rows.map(({ url, delivered, attempts, lastErrorAt, ...r }) => ({
    ...r,
    target: targetLabel(url),
    successRate: attempts > 0 ? delivered / attempts : null,
    attemptsLastHour: attempts,
    lastErrorAt: lastErrorAt?.toISOString() ?? null,
  }));
}

/** How long the oldest delivery still waiting for an active target has waited, in seconds (null: none waits). */
export async function oldestPendingSeconds(db: Db): Promise<number | null> {
  const rows = await db.$queryRaw<{ seconds: number | null }[]>`SELECT extract(epoch FROM now() - min(least(h."createdAt", u."createdAt")))::float8 AS seconds
     FROM forward_targets t
     LEFT JOIN LATERAL (SELECT "createdAt" FROM forward_outbox WHERE "targetId" = t.id AND state = 'pending' AND position IS NOT NULL ORDER BY position LIMIT 1) h ON true
     LEFT JOIN LATERAL (SELECT "createdAt" FROM forward_outbox WHERE "targetId" = t.id AND position IS NULL ORDER BY "deliveryId" LIMIT 1) u ON true
     WHERE t.active`;
  return rows[0]?.seconds ?? null;
}
