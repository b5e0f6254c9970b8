import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { exampleVideo } from "../../test/support/example-video";
import { LocalStore } from "../media/store-local";
import { deleteVideos } from "./delete";

const db = useTestDatabase();
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function post(data: Record<string, unknown>): Promise<string> {
  const body = Buffer.from(JSON.stringify(exampleVideo(data)));
  const first = await receiveDelivery(db.client, body);
  await receiveDelivery(db.client, body); // a redelivery: a second deliveries row for the same video
  return (first as { videoId: string }).videoId;
}

async function cache(dataDir: string, videoId: string, sha256: string) {
  await mkdir(join(dataDir, "media"), { recursive: true });
  await writeFile(join(dataDir, "media", sha256), "bytes");
  await db.pool.query(`INSERT INTO media_files ("videoEventId", kind, sha256, "contentType", bytes, source) VALUES ($1, 'video', $2, 'video/mp4', 5, 'cdn')`, [videoId, sha256]);
}

const exists = (path: string) => stat(path).then(() => true, () => false);

describe("deleting videos", () => {
  it("removes a video, its raw payload and cached media, keeps its deliveries marked deleted, and announces it", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "delete-test-"));
    dirs.push(dataDir);
    const gone = await post({ fromWxId: "wxid_forget", conversationId: "R:del", duration: 10 });
    const other = await post({ fromWxId: "wxid_forget", conversationId: "R:del", duration: 20 });
    const shared = "a".repeat(64);
    const own = "b".repeat(64);
    await cache(dataDir, gone, own);
    await db.pool.query(`INSERT INTO media_files ("videoEventId", kind, sha256, "contentType", bytes, source) VALUES ($1, 'preview', $2, 'image/jpeg', 5, 'cdn'), ($3, 'preview', $2, 'image/jpeg', 5, 'cdn')`, [gone, shared, other]);
    await writeFile(join(dataDir, "media", shared), "bytes");

    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const announced: string[] = [];
    listener.on("notification", (m) => announced.push(m.payload ?? ""));
    await listener.query("LISTEN video_events_deleted");

    expect(await deleteVideos(db.client, { id: gone }, new LocalStore(dataDir))).toEqual({ count: 1, ids: [gone], mediaFiles: 1 });
    expect((await db.pool.query(`SELECT 1 FROM video_events WHERE id = $1`, [gone])).rowCount).toBe(0);
    expect(await exists(join(dataDir, "media", own))).toBe(false);
    expect(await exists(join(dataDir, "media", shared))).toBe(true); // still the other video's preview
    const deliveries = await db.pool.query(
      `SELECT outcome, body, "deletedAt" IS NOT NULL AS deleted, "videoEventId" FROM deliveries WHERE "deletedAt" IS NOT NULL ORDER BY id`,
    );
    expect(deliveries.rows).toEqual([
      { outcome: "stored", body: null, deleted: true, videoEventId: null },
      { outcome: "duplicate", body: null, deleted: true, videoEventId: null },
    ]);
    const summary = await db.pool.query(`SELECT "videoCount", "totalDuration"::int AS d FROM sender_summaries WHERE "fromWxId" = 'wxid_forget'`);
    expect(summary.rows).toEqual([{ videoCount: 1, d: 20 }]);
    await expect.poll(() => announced).toEqual([gone]);
    await listener.end();

    expect(await deleteVideos(db.client, { id: gone }, new LocalStore(dataDir))).toMatchObject({ count: 0 });
    expect(await deleteVideos(db.client, { id: "not-an-id" }, new LocalStore(dataDir))).toMatchObject({ count: 0 });
  });

  it("forgets everything from one sender and answers with the count", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "delete-test-"));
    dirs.push(dataDir);
    await post({ fromWxId: "wxid_person", conversationId: "R:a" });
    await post({ fromWxId: "wxid_person", conversationId: "S:b" });
    const kept = await post({ fromWxId: "wxid_someone_else", conversationId: "R:a" });
    expect((await deleteVideos(db.client, { fromWxId: "wxid_person" }, new LocalStore(dataDir))).count).toBe(2);
    expect((await db.pool.query(`SELECT 1 FROM sender_summaries WHERE "fromWxId" = 'wxid_person'`)).rowCount).toBe(0);
    expect((await db.pool.query(`SELECT id::text FROM video_events`)).rows.map((r) => r.id)).toContain(kept);
    expect((await deleteVideos(db.client, { fromWxId: "wxid_person" }, new LocalStore(dataDir))).count).toBe(0);
  });

  it("deletes a selection by ids: only those, each once, the ones already gone left out", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "delete-test-"));
    dirs.push(dataDir);
    const a = await post({ fromWxId: "wxid_pick", conversationId: "R:pick" });
    const b = await post({ fromWxId: "wxid_pick", conversationId: "R:pick" });
    const c = await post({ fromWxId: "wxid_pick", conversationId: "R:pick" });
    const result = await deleteVideos(db.client, { ids: [a, c, "999999999", "junk"] }, new LocalStore(dataDir));
    expect(result.count).toBe(2);
    expect([...result.ids].sort()).toEqual([a, c].sort());
    expect((await db.pool.query(`SELECT id::text FROM video_events WHERE "fromWxId" = 'wxid_pick'`)).rows.map((r) => r.id)).toEqual([b]);
    expect(await deleteVideos(db.client, { ids: [a, c] }, new LocalStore(dataDir))).toMatchObject({ count: 0, ids: [] });
    expect(await deleteVideos(db.client, { ids: [] }, new LocalStore(dataDir))).toMatchObject({ count: 0 });
  });
});
