// The statements of a target's drain, which run on the connection holding the target's session
// advisory lock (relay.ts): were they to run on any pooled connection, a drain whose lock ended
// with its connection could go on numbering and recording beside the sender that took the lock
// next. Hence pg, not Prisma Client (docs/architecture.md, decision record 1). Each is a named
// statement, prepared once per connection: a drain runs them for every batch.
//
// Why positions, not ids: two recording transactions can commit in the other order than they
// took their ids, so a sender going by id could send 11 and only then see 10 commit. The
// target's sender (holding its lock) gives each newly visible row the next position, so the order
// is the order the deliveries were committed, which is also the order they were answered. (Going
// by transaction id with the snapshot's xmin as horizon was tried: any long write transaction on
// the same PostgreSQL server, in any database, then holds the relay back.)
import type { PoolClient } from "pg";
import type { Attempt } from "./send";

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
export async function sequence(db: PoolClient, targetId: number, limit = 5000): Promise<number> {
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
export async function nextPending(db: PoolClient, targetId: number, limit: number): Promise<OutboxRow[]> {
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

/** Records attempts (any number, one statement): the outbox's last state, the attempt's history row, and the per-minute totals. */
export async function recordOutcomes(db: PoolClient, targetId: number, outcomes: Outcome[]): Promise<void> {
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
             RETURNING f."deliveryId"
           ), logged AS (
             -- Only for rows still in the outbox (a delivery deleted meanwhile has no history to keep).
             INSERT INTO forward_attempts ("deliveryId", "targetId", at, state, status, answer, "latencyMs")
             SELECT o."deliveryId", $1, o.at, o.state, o.status, o.answer, o."latencyMs" FROM o JOIN updated u USING ("deliveryId")
             ORDER BY o.at, o."deliveryId"
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
