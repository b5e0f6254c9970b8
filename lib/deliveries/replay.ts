// Replaying a delivery: its kept body goes through classify + store again (after a fix, or a
// schema relaxation), and the new outcome is recorded as a new deliveries row whose replayOf
// points at the original. The original row stays as it was: the log shows what happened then
// and what happened on replay.
import type { Db } from "../db/client";
import { errorLine } from "../db/errors";
import { classify } from "../ingest/classify";
import type { Issue, StoredOutcome } from "../ingest/outcome";
import { storeClassified } from "../ingest/store";
import { QUARANTINED_UNREPLAYED } from "./list";

export type ReplayResult =
  | { kind: "not_found" }
  | { kind: "no_body"; reason: string }
  | {
      kind: "replayed";
      outcome: StoredOutcome["outcome"];
      error?: string;
      issues?: Issue[];
      /** The deliveries row recording the replay. */
      deliveryId: string | null;
    };

/** `id` is a deliveries id (digits). Throws when the database cannot be written. */
export async function replayDelivery(db: Db, id: string): Promise<ReplayResult> {
  if (!/^\d{1,18}$/.test(id)) return { kind: "not_found" };
  const original = await db.delivery.findUnique({ where: { id: BigInt(id) }, select: { body: true, httpStatus: true } });
  if (original === null) return { kind: "not_found" };
  const { body, httpStatus } = original;
  if (body === null) {
    return { kind: "no_body", reason: "this delivery kept no body to replay (a stored video's envelope is kept with the video)" };
  }
  if (httpStatus === 413) return { kind: "no_body", reason: "only the first bytes of this oversize body were kept: it cannot be replayed" };
  const bytes = Buffer.from(body, "utf8");
  const result = await storeClassified(db, classify(bytes), bytes, new Date(), { replayOf: id });
  const recorded = await db.delivery.findFirst({ where: { replayOf: BigInt(id) }, orderBy: { id: "desc" }, select: { id: true } });
  const deliveryId = recorded ? String(recorded.id) : null;
  if (result.outcome === "rejected") return { kind: "replayed", outcome: "rejected", error: result.error, issues: result.issues, deliveryId };
  return { kind: "replayed", outcome: result.outcome, deliveryId };
}

/**
 * Replays every quarantined delivery not yet stored by a replay (`npm run quarantine -- replay`):
 * after a fix, the spool's drain set many aside when a failure was every delivery's.
 */
export async function replayQuarantined(db: Db): Promise<{ replayed: number; stillFailing: { id: string; error: string }[] }> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT id::text AS id FROM deliveries WHERE ${QUARANTINED_UNREPLAYED} ORDER BY "receivedAt", id`);
  let replayed = 0;
  const stillFailing: { id: string; error: string }[] = [];
  for (const { id } of rows) {
    const result = await replayDelivery(db, id).catch((err: unknown) => ({ kind: "failed" as const, error: errorLine(err) }));
    if (result.kind === "replayed" && result.outcome !== "rejected") replayed++;
    else stillFailing.push({ id, error: result.kind === "failed" ? result.error : result.kind === "replayed" ? (result.error ?? "rejected") : result.kind });
  }
  return { replayed, stillFailing };
}
