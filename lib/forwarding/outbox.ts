// The outbox's queries. Rows are written by a trigger on deliveries (see the migration); a
// target's rows go out in position order, one sender per target at a time.
//
// Why positions, not ids: two recording transactions can commit in the other order than they
// took their ids, so a sender going by id could send 11 and only then see 10 commit. The
// target's sender (holding its lock) gives each newly visible row the next position, so the order
// is the order the deliveries were committed, which is also the order they were answered. (Going
// by transaction id with the snapshot's xmin as horizon was tried: any long write transaction on
// the same PostgreSQL server, in any database, then holds the relay back.)
import type { Pool, PoolClient } from "pg";
import type { Attempt } from "./send";
import { targetLabel } from "./label";

type Db = Pool | PoolClient;

export type OutboxRow = {
  deliveryId: string;
  body: string | null;
  contentType: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  receivedAt: Date;
};

/**
 * Gives the target's newly committed rows their positions, after every earlier one (by id among
 * themselves). Only the target's sender calls it, under the target's lock. Returns how many.
 */
export async function sequence(db: Db, targetId: number, limit = 5000): Promise<number> {
  const { rowCount } = await db.query({
    name: "forward_sequence",
    text: `WITH todo AS (
             SELECT "deliveryId", row_number() OVER (ORDER BY "deliveryId") AS rn FROM forward_outbox
             WHERE "targetId" = $1 AND position IS NULL ORDER BY "deliveryId" LIMIT $2
           ), bumped AS (
             UPDATE forward_targets SET "lastPosition" = "lastPosition" + (SELECT count(*) FROM todo)
             WHERE id = $1 RETURNING "lastPosition" - (SELECT count(*) FROM todo) AS base
           )
           UPDATE forward_outbox o SET position = b.base + t.rn FROM todo t, bumped b
           WHERE o."targetId" = $1 AND o."deliveryId" = t."deliveryId"`,
    values: [targetId, limit],
  });
  return rowCount ?? 0;
}

/** The first pending rows of a target, in order. */
export async function nextPending(db: Db, targetId: number, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>({
    name: "forward_next_pending",
    text: `SELECT o."deliveryId"::text AS "deliveryId", d.body, d."contentType", o.attempts, o."nextAttemptAt", d."receivedAt"
           FROM forward_outbox o JOIN deliveries d ON d.id = o."deliveryId"
           WHERE o."targetId" = $1 AND o.state = 'pending' AND o.position IS NOT NULL
           ORDER BY o.position LIMIT $2`,
    values: [targetId, limit],
  });
  return rows;
}

export type Outcome = Attempt & { deliveryId: string; state: "delivered" | "pending" | "failed"; nextAttemptAt: Date | null; at: Date };

/** Records attempts (any number, one statement) and counts them in the per-minute totals. */
export async function recordOutcomes(db: Db, targetId: number, outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query({
    name: "forward_record_outcomes",
    text: `WITH o AS (
             SELECT * FROM unnest($2::bigint[], $3::forward_state[], $4::int[], $5::text[], $6::int[], $7::timestamptz[], $8::timestamptz[])
               AS t("deliveryId", state, status, answer, "latencyMs", "nextAttemptAt", at)
           ), updated AS (
             UPDATE forward_outbox f SET state = o.state, attempts = f.attempts + 1, "lastStatus" = o.status,
               "lastAnswer" = o.answer, "latencyMs" = o."latencyMs", "nextAttemptAt" = o."nextAttemptAt", "lastAttemptAt" = o.at
             FROM o WHERE f."targetId" = $1 AND f."deliveryId" = o."deliveryId"
           ), counted AS (
             INSERT INTO forward_minutes ("targetId", minute, delivered, failed)
             SELECT $1, date_trunc('minute', at), count(*) FILTER (WHERE state = 'delivered'), count(*) FILTER (WHERE state <> 'delivered')
             FROM o GROUP BY 2 ORDER BY 2
             ON CONFLICT ("targetId", minute) DO UPDATE
               SET delivered = forward_minutes.delivered + EXCLUDED.delivered, failed = forward_minutes.failed + EXCLUDED.failed
           )
           UPDATE forward_targets t SET "lastError" = e.error, "lastErrorAt" = e.at
           FROM (SELECT coalesce(status::text || ' ' || answer, answer) AS error, at FROM o WHERE state <> 'delivered' ORDER BY at DESC LIMIT 1) e
           WHERE t.id = $1`,
    values: [
      targetId,
      outcomes.map((o) => o.deliveryId),
      outcomes.map((o) => o.state),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.answer),
      outcomes.map((o) => o.latencyMs),
      outcomes.map((o) => o.nextAttemptAt),
      outcomes.map((o) => o.at),
    ],
  });
}

/** A failed delivery goes back to pending, to be sent next (ahead of newer ones). False: not failed. */
export async function retryFailed(db: Db, deliveryId: string, targetId: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE forward_outbox SET state = 'pending', attempts = 0, "nextAttemptAt" = NULL
     WHERE "deliveryId" = $1::bigint AND "targetId" = $2 AND state = 'failed'`,
    [deliveryId, targetId],
  );
  return rowCount === 1;
}

/** Active targets with something to send now: a head row due, or new rows and no head waiting for its retry. */
export async function targetsReady(db: Db): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT t.id FROM forward_targets t
     LEFT JOIN LATERAL (
       SELECT true AS present, o."nextAttemptAt" FROM forward_outbox o
       WHERE o."targetId" = t.id AND o.state = 'pending' AND o.position IS NOT NULL
       ORDER BY o.position LIMIT 1
     ) head ON true
     WHERE t.active AND NOT t.paused AND CASE
       WHEN head.present THEN head."nextAttemptAt" IS NULL OR head."nextAttemptAt" <= now()
       ELSE EXISTS (SELECT 1 FROM forward_outbox o WHERE o."targetId" = t.id AND o.position IS NULL)
     END`,
  );
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
  const { rows } = await db.query<StateRow>(
    `SELECT o."deliveryId"::text AS "deliveryId", o."targetId", t.url, o.state::text AS state, o.attempts, o."lastStatus",
            o."latencyMs", o."nextAttemptAt", o."lastAttemptAt", o."lastAnswer"
     FROM forward_outbox o JOIN forward_targets t ON t.id = o."targetId"
     WHERE o."deliveryId" = ANY ($1::bigint[]) ORDER BY o."deliveryId", o."targetId"`,
    [deliveryIds],
  );
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

export type FailedForward = { deliveryId: string; targetId: number; status: number | null; answer: string | null; lastAttemptAt: string | null };

export async function recentFailures(db: Db, limit = 20): Promise<FailedForward[]> {
  const { rows } = await db.query<Omit<FailedForward, "lastAttemptAt"> & { lastAttemptAt: Date | null }>(
    `SELECT "deliveryId"::text AS "deliveryId", "targetId", "lastStatus" AS status, "lastAnswer" AS answer, "lastAttemptAt"
     FROM forward_outbox WHERE state = 'failed' ORDER BY "lastAttemptAt" DESC NULLS LAST LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ ...r, lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null }));
}
