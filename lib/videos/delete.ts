// Deleting videos (a privacy request, a video received by mistake): the event rows and their raw
// payloads, their cached media, and the deliveries' bodies. The summaries follow through the
// video_events triggers; the deliveries rows stay as the record that a callback came, marked
// deleted; the deletion is announced on video_events_deleted so open pages drop the cards.
// Every statement is CRUD-shaped: the model API, in one transaction.
import type { Db } from "../db/client";
import { log } from "../log";
import { isObjectName, type MediaStore } from "../media/store";

export type DeleteTarget = { id: string } | { ids: string[] } | { fromWxId: string };
export type Deleted = { count: number; ids: string[]; mediaFiles: number };

/** Deletes the video `id`, the videos `ids` (a list's selection), or every video from `fromWxId`; their kept media go from `store` too. */
export async function deleteVideos(db: Db, target: DeleteTarget, store: MediaStore): Promise<Deleted> {
  let where: { id: { in: bigint[] } } | { fromWxId: string };
  if ("fromWxId" in target) where = { fromWxId: target.fromWxId };
  else {
    const ids = ("id" in target ? [target.id] : target.ids).filter((id) => /^\d{1,19}$/.test(id));
    if (ids.length === 0) return { count: 0, ids: [], mediaFiles: 0 };
    where = { id: { in: ids.map(BigInt) } };
  }
  const { ids, hashes } = await db.$transaction(async (tx) => {
    const videos = await tx.videoEvent.findMany({ where, select: { id: true } });
    if (videos.length === 0) return { ids: [] as bigint[], hashes: [] as string[] };
    const ids = videos.map((v) => v.id);
    // Before the DELETE: its trigger unlinks the deliveries from the events they stored.
    const media = await tx.mediaFile.findMany({ where: { videoEventId: { in: ids } }, select: { sha256: true }, distinct: ["sha256"] });
    await tx.delivery.updateMany({ where: { videoEventId: { in: ids } }, data: { body: null, deletedAt: new Date() } });
    await tx.videoEvent.deleteMany({ where: { id: { in: ids } } });
    // Content-addressed files another video still uses stay.
    const all = media.map((m) => m.sha256);
    const kept = await tx.mediaFile.findMany({ where: { sha256: { in: all } }, select: { sha256: true }, distinct: ["sha256"] });
    const used = new Set(kept.map((r) => r.sha256));
    return { ids, hashes: all.filter((h) => !used.has(h)) };
    // Not the default 5 s: a sender with tens of thousands of videos takes several seconds.
  }, { timeout: 300_000 });
  let mediaFiles = 0;
  for (const sha256 of hashes) {
    if (!isObjectName(sha256)) continue;
    // A store that cannot be reached now keeps the object until the hourly collection (pruneMediaFiles) removes it.
    await store.delete(sha256).then(
      () => mediaFiles++,
      (err: Error) => log.warn({ err: err.message }, "could not remove a deleted video's file from the media store; it is collected later"),
    );
  }
  return { count: ids.length, ids: ids.map(String), mediaFiles };
}
