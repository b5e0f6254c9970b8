// The outbox as the app reads and operates it. Rows are written by a trigger on deliveries (see
// the migration); a target's rows go out in position order, one sender per target at a time
// (sender-queries.ts has the statements the sender runs under its lock, and why positions).
// Retrying a failed delivery is CRUD-shaped (the model API); the rest is SQL through the client.
import type { Db } from "../db/client";
import { targetLabel } from "./label";

/** A failed delivery goes back to pending, to be sent next (ahead of newer ones). False: not failed. */
export async function retryFailed(db: Db, deliveryId: string, targetId: number): Promise<boolean> {
  const { count } = await db.forwardOutbox.updateMany({
    where: { deliveryId: BigInt(deliveryId), targetId, state: "failed" },
    data: { state: "pending", attempts: 0, nextAttemptAt: null },
  });
  return count === 1;
}

/** Every failed delivery of a target goes back to pending, sent next in their order; how many. */
export async function retryAllFailed(db: Db, targetId: number): Promise<number> {
  const { count } = await db.forwardOutbox.updateMany({
    where: { targetId, state: "failed" },
    data: { state: "pending", attempts: 0, nextAttemptAt: null },
  });
  return count;
}

/** Active targets with something to send now: a head row due, or new rows and no head waiting for its retry. */
export async function targetsReady(db: Db): Promise<number[]> {
  const rows = await db.$queryRaw<{ id: number }[]>`SELECT t.id FROM forward_targets t
     LEFT JOIN LATERAL (
       SELECT true AS present, o."nextAttemptAt" FROM forward_outbox o
       WHERE o."targetId" = t.id AND o.state = 'pending' AND o.position IS NOT NULL
       ORDER BY o.position LIMIT 1
     ) head ON true
     WHERE t.active AND NOT t.paused AND CASE
       WHEN head.present THEN head."nextAttemptAt" IS NULL OR head."nextAttemptAt" <= now()
       ELSE EXISTS (SELECT 1 FROM forward_outbox o WHERE o."targetId" = t.id AND o.position IS NULL)
     END`;
  return rows.map((r) => r.id);
}

export type ForwardState = {
  targetId: number;
  target: string;
  state: "pending" | "delivered" | "retrying" | "failed";
  attempts: number;
  status: number | null;
  latencyMs: number | null;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** The first bytes of the target's last answer, or why there was none. */
  answer: string | null;
};

type StateRow = {
  deliveryId: string;
  targetId: number;
  url: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus: number | null;
  latencyMs: number | null;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastAnswer: string | null;
};

/** The forwarding state of each of these deliveries, per target (deliveries without any are left out). */
export async function forwardStates(db: Db, deliveryIds: string[]): Promise<Map<string, ForwardState[]>> {
  const byDelivery = new Map<string, ForwardState[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await db.$queryRaw<StateRow[]>`SELECT o."deliveryId"::text AS "deliveryId", o."targetId", t.url, o.state::text AS state, o.attempts, o."lastStatus",
            o."latencyMs", o."nextAttemptAt", o."lastAttemptAt", o."lastAnswer"
     FROM forward_outbox o JOIN forward_targets t ON t.id = o."targetId"
     WHERE o."deliveryId" = ANY (${deliveryIds}::bigint[]) ORDER BY o."deliveryId", o."targetId"`;
  for (const r of rows) {
    const list = byDelivery.get(r.deliveryId) ?? [];
    list.push({
      targetId: r.targetId,
      target: targetLabel(r.url),
      state: r.state === "pending" && r.attempts > 0 ? "retrying" : r.state,
      attempts: r.attempts,
      status: r.lastStatus,
      latencyMs: r.state === "delivered" ? r.latencyMs : null,
      nextAttemptAt: r.state === "pending" ? (r.nextAttemptAt?.toISOString() ?? null) : null,
      lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
      answer: r.state === "delivered" ? null : r.lastAnswer,
    });
    byDelivery.set(r.deliveryId, list);
  }
  return byDelivery;
}

/** One attempt to send a delivery to a target, as forward_attempts keeps it. */
export type AttemptRecord = {
  at: string;
  /** The delivery's state for that target right after it: delivered, pending (retried later) or failed (final). */
  state: "delivered" | "pending" | "failed";
  status: number | null;
  /** The first bytes of the answer (secrets already cut out), or why there was none. */
  answer: string | null;
  latencyMs: number | null;
};

export type ForwardStateWithHistory = ForwardState & { history: AttemptRecord[] };

/** Attempts kept per target on a delivery's page (a dead target retries its oldest delivery every 5 minutes). */
export const HISTORY_LIMIT = 50;

/**
 * One delivery's forwarding state per target with each target's attempts, newest first (up to
 * HISTORY_LIMIT each). CRUD-shaped reads: the model API.
 */
export async function forwardingOf(db: Db, deliveryId: string): Promise<ForwardStateWithHistory[]> {
  const states = (await forwardStates(db, [deliveryId])).get(deliveryId) ?? [];
  const histories = await Promise.all(
    states.map((s) =>
      db.forwardAttempt.findMany({
        where: { deliveryId: BigInt(deliveryId), targetId: s.targetId },
        orderBy: { id: "desc" },
        take: HISTORY_LIMIT,
        select: { at: true, state: true, status: true, answer: true, latencyMs: true },
      }),
    ),
  );
  return states.map((s, i) => ({ ...s, history: histories[i].map((a) => ({ ...a, at: a.at.toISOString() })) }));
}

export type FailedForward = { deliveryId: string; targetId: number; status: number | null; answer: string | null; lastAttemptAt: string | null };

export async function recentFailures(db: Db, limit = 20): Promise<FailedForward[]> {
  const rows = await db.$queryRaw<(Omit<FailedForward, "lastAttemptAt"> & { lastAttemptAt: Date | null })[]>`SELECT "deliveryId"::text AS "deliveryId", "targetId", "lastStatus" AS status, "lastAnswer" AS answer, "lastAttemptAt"
     FROM forward_outbox WHERE state = 'failed' ORDER BY "lastAttemptAt" DESC NULLS LAST LIMIT ${limit}`;
  return rows.map((r) => ({ ...r, lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null }));
}
