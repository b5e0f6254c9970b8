// Deleting videos (a privacy request, a video received by mistake): the event rows and their raw
// payloads, their cached media, and the deliveries' bodies. The summaries follow through the
// video_events triggers; the deliveries rows stay as the record that a callback came, marked
// deleted; the deletion is announced on video_events_deleted so open pages drop the cards.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Pool } from "pg";
import { mediaDir } from "../media/cache";

export type DeleteTarget = { id: string } | { fromWxId: string };
export type Deleted = { count: number; ids: string[]; mediaFiles: number };

/** Deletes the video `id`, or every video from `fromWxId`; cached media under `dataDir` go too. */
export async function deleteVideos(db: Pool, target: DeleteTarget, dataDir: string): Promise<Deleted> {
  if ("id" in target && !/^\d{1,19}$/.test(target.id)) return { count: 0, ids: [], mediaFiles: 0 };
  const where = "id" in target ? `id = $1::bigint` : `"fromWxId" = $1`;
  const value = "id" in target ? target.id : target.fromWxId;
  const client = await db.connect();
  let ids: string[];
  let hashes: string[];
  try {
    await client.query("BEGIN");
    // Before the DELETE: its trigger unlinks the deliveries from the events they stored.
    const media = await client.query<{ sha256: string }>(
      `SELECT DISTINCT m.sha256 FROM media_files m JOIN video_events v ON v.id = m."videoEventId" WHERE v.${where}`,
      [value],
    );
    await client.query(
      `UPDATE deliveries SET body = NULL, "deletedAt" = now()
       WHERE "videoEventId" IN (SELECT id FROM video_events WHERE ${where})`,
      [value],
    );
    const deleted = await client.query<{ id: string }>(`DELETE FROM video_events WHERE ${where} RETURNING id::text`, [value]);
    // Content-addressed files another video still uses stay.
    const kept = await client.query<{ sha256: string }>(`SELECT DISTINCT sha256 FROM media_files WHERE sha256 = ANY($1::text[])`, [media.rows.map((m) => m.sha256)]);
    await client.query("COMMIT");
    ids = deleted.rows.map((r) => r.id);
    const used = new Set(kept.rows.map((r) => r.sha256));
    hashes = media.rows.map((m) => m.sha256).filter((h) => !used.has(h));
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  let mediaFiles = 0;
  for (const sha256 of hashes) {
    if (!/^[0-9a-f]{64}$/.test(sha256)) continue;
    await rm(join(mediaDir(dataDir), sha256)).then(() => mediaFiles++, () => {});
  }
  return { count: ids.length, ids, mediaFiles };
}
