// The deliveries log: every callback that reached the server and what became of it.
// Lists leave the body out (it can be up to CALLBACK_MAX_BYTES); one delivery's body is read on demand.
import type { Db } from "../db/client";
import { z } from "zod";
import { parseQuery, trimmedText } from "../params";
import { afterTimeIdSql, encodeTimeIdCursor, isBigintId, pageFrom, pageSchema } from "../shared/paging";
import { bind } from "../shared/sql";
import { redactSecrets } from "../videos/item";

export const OUTCOMES = ["stored", "duplicate", "other_event", "rejected", "quarantined"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** SQL: a quarantined delivery (lib/ingest/drain.ts) that no replay has stored yet. */
export const QUARANTINED_UNREPLAYED = `deliveries.outcome = 'quarantined'
  AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r."replayOf" = deliveries.id AND r.outcome IN ('stored', 'duplicate', 'other_event'))`;

export const deliveryQuerySchema = z.object({
  outcome: trimmedText.pipe(z.enum(OUTCOMES, { error: `must be one of ${OUTCOMES.join(", ")}` }).optional()),
  eventCode: trimmedText.pipe(z.string().max(64, "at most 64 characters").optional()),
  /** `failed`: deliveries a relay target refused for good (forward_outbox state failed). */
  forward: trimmedText.pipe(z.enum(["failed"], { error: "must be failed" }).optional()),
  cursor: pageSchema.shape.cursor,
  limit: pageSchema.shape.limit,
});

export type DeliveryQuery = z.infer<typeof deliveryQuerySchema>;

export function parseDeliveryQuery(params: URLSearchParams): DeliveryQuery {
  return parseQuery(deliveryQuerySchema, params);
}


type DeliveryRow = {
  id: string;
  receivedAt: Date;
  eventCode: string | null;
  outcome: Outcome;
  httpStatus: number;
  error: string | null;
  bodyBytes: number;
  hasBody: boolean;
  videoEventId: string | null;
  /** When the video it carried was deleted (its body was cleared then). */
  deletedAt: Date | null;
};

const COLUMNS = `id::text AS id, "receivedAt", "eventCode", outcome::text AS outcome, "httpStatus", error, "bodyBytes",
  (body IS NOT NULL) AS "hasBody", "videoEventId"::text AS "videoEventId", "deletedAt"`;

function toDelivery(r: DeliveryRow) {
  return { ...r, receivedAt: r.receivedAt.toISOString(), deletedAt: r.deletedAt?.toISOString() ?? null };
}

export type Delivery = ReturnType<typeof toDelivery>;

export async function listDeliveries(db: Db, query: DeliveryQuery): Promise<{ items: Delivery[]; nextCursor: string | null }> {
  const params: unknown[] = [];
  const where = [afterTimeIdSql(query.cursor, `"receivedAt"`, params)];
  if (query.outcome) where.push(`outcome = ${bind(params, query.outcome)}::delivery_outcome`);
  if (query.eventCode) where.push(`"eventCode" = ${bind(params, query.eventCode)}`);
  // Few are failed: the planner reads them through forward_outbox_failed_idx and fetches those deliveries.
  if (query.forward === "failed") where.push(`id IN (SELECT "deliveryId" FROM forward_outbox WHERE state = 'failed')`);
  const rows = await db.$queryRawUnsafe<DeliveryRow[]>(
    `SELECT ${COLUMNS} FROM deliveries WHERE ${where.join(" AND ")}
     ORDER BY "receivedAt" DESC, id DESC LIMIT ${bind(params, query.limit + 1)}`,
    ...params,
  );
  return pageFrom(rows, query.limit, toDelivery, (last) => encodeTimeIdCursor({ time: last.receivedAt, id: last.id }));
}

/** One delivery with its body as received, or null. */
export async function getDelivery(db: Db, id: string) {
  if (!isBigintId(id)) return null;
  const row = await db.delivery.findUnique({
    where: { id: BigInt(id) },
    select: { id: true, receivedAt: true, eventCode: true, outcome: true, httpStatus: true, error: true, bodyBytes: true, body: true, videoEventId: true, deletedAt: true },
  });
  if (!row) return null;
  const { body, ...rest } = row;
  const delivery = toDelivery({ ...rest, id: row.id.toString(), hasBody: body !== null, videoEventId: row.videoEventId?.toString() ?? null });
  return { ...delivery, body: body === null ? null : redactBody(body) };
}

/** A body with its aes_key/auth_key values hidden: pretty JSON when it parses, else the text. */
export function redactBody(body: string): string {
  try {
    return JSON.stringify(redactSecrets(JSON.parse(body)), null, 2);
  } catch {
    return body.replace(/("(?:aes_key|auth_key)"\s*:\s*)"[^"]*"/g, '$1"[redacted]"');
  }
}

/** Event codes seen recently, for the filter's choices. */
export async function recentEventCodes(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ eventCode: string }[]>`
    SELECT DISTINCT "eventCode" FROM (SELECT "eventCode" FROM deliveries WHERE "eventCode" IS NOT NULL ORDER BY "receivedAt" DESC LIMIT 5000) d ORDER BY 1`;
  return rows.map((r) => r.eventCode);
}

