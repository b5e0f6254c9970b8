// One statement for a group of video deliveries: the new videos are inserted and every delivery
// (stored or duplicate) is recorded in the same implicit transaction, so when it returns, every
// row of the group is durable.
import { config } from "../config";
import type { DbTx } from "../db/client";
import { ARCHIVE_TASK, archiveJobKeySql } from "../media/archive-key";
import type { VideoOutcome } from "./outcome";
import { VIDEO_EVENT_CODE } from "./payload";
import { VIDEO_COLUMN_TYPES, VIDEO_COLUMNS, type VideoRow } from "./video-row";

export type VideoItem = {
  row: VideoRow;
  bodyBytes: number;
  /** Set when the delivery comes from the spool: a second replay of it records nothing. */
  spoolKey?: string | null;
  /** Set when the delivery is a replay of an earlier one (deliveries.id). */
  replayOf?: string | null;
  /** The body as received, kept in the deliveries row only while relaying (lib/forwarding needs the bytes). */
  body?: string | null;
  /** The provider's Content-Type header. */
  contentType?: string | null;
};

function storeVideosSql(archive: boolean): string {
  const cols = VIDEO_COLUMNS.map((c) => `"${c}"`).join(", ");
  const extra = VIDEO_COLUMNS.length;
  // raw travels as text: a jsonb[] parameter would need each element re-quoted.
  const unnestArgs = [
    ...VIDEO_COLUMNS.map((c, i) => `$${i + 1}::${VIDEO_COLUMN_TYPES[c] === "jsonb" ? "text" : VIDEO_COLUMN_TYPES[c]}[]`),
    `$${extra + 1}::int[]`,
    `$${extra + 2}::text[]`,
    `$${extra + 3}::bigint[]`,
    `$${extra + 4}::text[]`,
    `$${extra + 5}::text[]`,
  ].join(", ");
  const selectCols = VIDEO_COLUMNS.map((c) =>
    c === "raw" ? `f."raw"::jsonb` : c === "sendTime" ? `k."sendTime"` : `f."${c}"`,
  ).join(", ");

  // One statement: the first copy of each identity in the batch is offered to video_events
  // (ON CONFLICT skips identities already stored, also by a concurrent writer); every input
  // becomes a deliveries row, "stored" for the copy that was inserted, "duplicate" otherwise.
  // Deliveries that carry a spoolKey already recorded by an earlier replay are skipped.
  // The unique key is (instanceId, messageKey, sendTime), so that video_events can be partitioned
  // by sendTime. A redelivery repeats its sendTime, except an envelope with no time at all, whose
  // sendTime is its arrival (eventTime null, sendTime = receivedAt): that one takes the stored
  // copy's sendTime, if there is one, so it is recognised as the duplicate it is.
  return `
WITH input AS (
  SELECT * FROM unnest(${unnestArgs}) WITH ORDINALITY
    AS t(${cols}, "bodyBytes", "spoolKey", "replayOf", "body", "contentType", ord)
), firsts AS (
  SELECT DISTINCT ON ("instanceId", "messageKey") * FROM input ORDER BY "instanceId", "messageKey", ord
), keyed AS (
  SELECT f.ord, f."instanceId", f."messageKey",
    CASE WHEN f."eventTime" IS NULL AND f."sendTime" = f."receivedAt"
      THEN coalesce((SELECT min(e."sendTime") FROM video_events e
                     WHERE e."instanceId" = f."instanceId" AND e."messageKey" = f."messageKey"), f."sendTime")
      ELSE f."sendTime" END AS "sendTime"
  FROM firsts f
), inserted AS (
  INSERT INTO video_events (${cols})
  SELECT ${selectCols} FROM firsts f JOIN keyed k USING (ord) ORDER BY ord
  ON CONFLICT ("instanceId", "messageKey", "sendTime") DO NOTHING
  RETURNING id, "instanceId", "messageKey", "receivedAt"
), outcomes AS (
  SELECT i.ord, i."bodyBytes", i."receivedAt", i."spoolKey", i."replayOf", i."body", i."contentType", i."robotId", i."instanceId",
         CASE WHEN ins.id IS NOT NULL AND k.ord = i.ord THEN 'stored' ELSE 'duplicate' END::delivery_outcome AS outcome,
         coalesce(ins.id, ex.id) AS "videoEventId",
         nextval('deliveries_id_seq') AS "deliveryId"
  FROM input i
  JOIN keyed k ON k."instanceId" = i."instanceId" AND k."messageKey" = i."messageKey"
  LEFT JOIN inserted ins ON ins."instanceId" = i."instanceId" AND ins."messageKey" = i."messageKey"
  LEFT JOIN video_events ex
    ON ex."instanceId" = k."instanceId" AND ex."messageKey" = k."messageKey" AND ex."sendTime" = k."sendTime"
), recorded AS (
  INSERT INTO deliveries (id, "eventCode", outcome, "httpStatus", "bodyBytes", "receivedAt", "videoEventId", "spoolKey", "replayOf", body, "contentType", "robotId", "instanceId")
  SELECT "deliveryId", '${VIDEO_EVENT_CODE}', outcome, 200, "bodyBytes", "receivedAt", "videoEventId", "spoolKey", "replayOf", body, "contentType", "robotId", "instanceId"
  FROM outcomes ORDER BY ord
  ON CONFLICT ("spoolKey") DO NOTHING
  RETURNING id
)${archive ? ARCHIVE_CTES : ""}
SELECT o.outcome::text AS outcome, o."videoEventId"::text AS "videoId", r.id::text AS "deliveryId"
FROM outcomes o LEFT JOIN recorded r ON r.id = o."deliveryId"${archive ? " CROSS JOIN (SELECT count(*) FROM archive_jobs) AS queued" : ""}
ORDER BY o.ord`;
}

// MEDIA_ARCHIVE=on: each new video's video and preview get a media_archive row, and the video
// one job (graphile-worker, key per video, which archives both files) in the statement that stores
// the video, so a video and its archiving exist together or not at all, by every path (direct,
// group commit, spool replay). A SELECT in a WITH runs only when the statement reads it: the final
// SELECT does.
const ARCHIVE_CTES = `, archive_rows AS (
  INSERT INTO media_archive ("videoEventId", kind, "receivedAt")
  SELECT ins.id, k.kind, ins."receivedAt" FROM inserted ins CROSS JOIN (VALUES ('video'::media_kind), ('preview'::media_kind)) AS k(kind)
  ON CONFLICT DO NOTHING
  RETURNING "videoEventId"
), archive_jobs AS (
  SELECT j.id FROM (
    SELECT array_agg(ROW('${ARCHIVE_TASK}', json_build_object('videoId', "videoEventId"::text), NULL, NULL, 5,
                         ${archiveJobKeySql(`"videoEventId"`)}, 0, NULL)::graphile_worker.job_spec) AS specs
    FROM (SELECT DISTINCT "videoEventId" FROM archive_rows) v
  ) s CROSS JOIN LATERAL graphile_worker.add_jobs(s.specs) AS j
  WHERE s.specs IS NOT NULL
)`;

const STORE_VIDEOS_SQL = storeVideosSql(false);
const STORE_VIDEOS_ARCHIVE_SQL = storeVideosSql(true);

/**
 * The group statement's two texts (archiving off and on). The receiver's client names them
 * (`namedStatements`, lib/db/client.ts): each is parsed and planned once per connection.
 */
export const STORE_VIDEOS_STATEMENTS: readonly string[] = [STORE_VIDEOS_SQL, STORE_VIDEOS_ARCHIVE_SQL];

/** What the group statement answers per input, in input order (ids as text: the API's ids are strings). */
type StoredRow = { outcome: "stored" | "duplicate"; videoId: string | null; deliveryId: string | null };

/**
 * Stores a group of video deliveries in one statement and returns their outcomes in input
 * order. Throws when the database cannot take the statement; `deliveryFailure` (lib/db/errors.ts)
 * says whether the failure is the rows' own.
 */
export async function storeVideos(db: DbTx, items: VideoItem[]): Promise<VideoOutcome[]> {
  if (items.length === 0) return [];
  const values: unknown[][] = VIDEO_COLUMNS.map((c) => items.map((it) => it.row[c]));
  values.push(items.map((it) => it.bodyBytes));
  values.push(items.map((it) => it.spoolKey ?? null));
  values.push(items.map((it) => it.replayOf ?? null));
  values.push(items.map((it) => it.body ?? null));
  values.push(items.map((it) => it.contentType ?? null));
  const archive = config().MEDIA_ARCHIVE === "on";
  const rows = await db.$queryRawUnsafe<StoredRow[]>(archive ? STORE_VIDEOS_ARCHIVE_SQL : STORE_VIDEOS_SQL, ...values);
  const outcomes: VideoOutcome[] = rows.map(({ outcome, videoId, deliveryId }) => ({ status: 200, outcome, eventCode: VIDEO_EVENT_CODE, videoId, deliveryId }));
  // A copy whose identity was committed by a concurrent writer after this statement's snapshot
  // was taken is a duplicate, but the snapshot could not see the row to link it.
  const unlinked = outcomes.filter((o) => o.videoId === null && o.deliveryId !== null);
  if (unlinked.length > 0) {
    const ids = unlinked.map((o) => o.deliveryId);
    const instanceIds = unlinked.map((o) => items[outcomes.indexOf(o)].row.instanceId);
    const messageKeys = unlinked.map((o) => items[outcomes.indexOf(o)].row.messageKey);
    const linked = await db.$queryRaw<{ id: string; videoEventId: string | null }[]>`
      UPDATE deliveries d SET "videoEventId" = v.id
      FROM unnest(${ids}::bigint[], ${instanceIds}::text[], ${messageKeys}::text[]) AS u(id, "instanceId", "messageKey")
      JOIN video_events v ON v."instanceId" = u."instanceId" AND v."messageKey" = u."messageKey"
      WHERE d.id = u.id RETURNING d.id::text AS id, d."videoEventId"::text AS "videoEventId"`;
    for (const r of linked) {
      const o = unlinked.find((u) => u.deliveryId === r.id);
      if (o) o.videoId = r.videoEventId;
    }
  }
  return outcomes;
}
