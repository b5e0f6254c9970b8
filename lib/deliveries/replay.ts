// Replaying a delivery: its kept body goes through classify + store again (after a fix, or a
// schema relaxation), and the new outcome is recorded as a new deliveries row whose replayOf
// points at the original. The original row stays as it was: the log shows what happened then
// and what happened on replay.
import type { Pool } from "pg";
import { classify } from "../ingest/classify";
import type { Issue, StoredOutcome } from "../ingest/outcome";
import { storeClassified } from "../ingest/store";

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
export async function replayDelivery(db: Pool, id: string): Promise<ReplayResult> {
  if (!/^\d{1,18}$/.test(id)) return { kind: "not_found" };
  const { rows } = await db.query<{ body: string | null; httpStatus: number }>(`SELECT body, "httpStatus" FROM deliveries WHERE id = $1`, [id]);
  if (rows.length === 0) return { kind: "not_found" };
  const { body, httpStatus } = rows[0];
  if (body === null) {
    return { kind: "no_body", reason: "this delivery kept no body to replay (a stored video's envelope is kept with the video)" };
  }
  if (httpStatus === 413) return { kind: "no_body", reason: "only the first bytes of this oversize body were kept: it cannot be replayed" };
  const bytes = Buffer.from(body, "utf8");
  const result = await storeClassified(db, classify(bytes), bytes, new Date(), { replayOf: id });
  const recorded = await db.query<{ id: string }>(`SELECT id::text FROM deliveries WHERE "replayOf" = $1 ORDER BY id DESC LIMIT 1`, [id]);
  const deliveryId = recorded.rows[0]?.id ?? null;
  if (result.outcome === "rejected") return { kind: "replayed", outcome: "rejected", error: result.error, issues: result.issues, deliveryId };
  return { kind: "replayed", outcome: result.outcome, deliveryId };
}
