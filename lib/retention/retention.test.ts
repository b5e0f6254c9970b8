import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { recordMedia } from "../media/archive";
import { mediaDir } from "../media/cache";
import { LocalStore } from "../media/store-local";
import { describeRetention, runRetention } from "./retention";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const DAY = 86_400_000;

/** A cached file as the media cache keeps it: <DATA_DIR>/media/<sha256>, a media_files row, an old mtime. */
async function cache(dataDir: string, videoId: string, content: string, mtime: Date): Promise<string> {
  const sha256 = createHash("sha256").update(content).digest("hex");
  const path = join(mediaDir(dataDir), sha256);
  await writeFile(path, content);
  await utimes(path, mtime, mtime);
  await recordMedia(db.client, videoId, "video", { sha256, contentType: "video/mp4", bytes: content.length }, "cdn");
  return sha256;
}

describe("retention", () => {
  it("deletes events, deliveries and cached media received before the kept days, in batches, whatever their sendTime", async () => {
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const old = i < 5;
      // Received long ago but "sent" just now, and received just now but "sent" at 0 or in 2024
      // (the provider's own example): only when it was received counts.
      const sendTime = old ? now - i * 1000 : [0, 1726826627676][i - 5];
      const b = Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId: `R${i}`, sendTime, conversationId: old ? "old-chat" : "new-chat" } }));
      const result = await receiveDelivery(db.client, b, new Date(old ? now - 40 * DAY : now));
      ids.push((result as { videoId: string }).videoId);
    }
    const other = Buffer.from(JSON.stringify({ event: "20005", time: 0, data: { content: "kept" } }));
    await receiveDelivery(db.client, other, new Date(now));

    const dataDir = await mkdtemp(join(tmpdir(), "retention-"));
    try {
      await mkdir(mediaDir(dataDir), { recursive: true });
      // Both files last touched long ago: the cache's mtime says nothing about the video's age.
      const longAgo = new Date(now - 40 * DAY);
      const oldFile = await cache(dataDir, ids[0], "old video", longAgo);
      const keptFile = await cache(dataDir, ids[6], "new video", longAgo);

      const result = await runRetention(db.client, { days: 30, store: new LocalStore(dataDir), batchSize: 2, pauseMs: 1 });
      expect(result).toMatchObject({ videoEvents: 5, deliveries: 5, mediaFiles: 1 });
      const { rows } = await db.pool.query(`SELECT "serverId" FROM video_events ORDER BY 1`);
      expect(rows.map((r) => r.serverId)).toEqual(["R5", "R6"]);
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM deliveries`)).rows[0].n).toBe(3);
      const conv = await db.pool.query(`SELECT "conversationId", "videoCount" FROM conversation_summaries ORDER BY 1`);
      expect(conv.rows).toEqual([{ conversationId: "new-chat", videoCount: 2 }]);
      const left = await readdir(mediaDir(dataDir));
      expect(left).toContain(keptFile);
      expect(left).not.toContain(oldFile);
      expect((await db.pool.query(`SELECT sha256 FROM media_files`)).rows).toEqual([{ sha256: keptFile }]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("retention and files shared by several videos", () => {
  it("removes a stored object only when no remaining video refers to it", async () => {
    const now = Date.now();
    const received = async (serverId: string, at: number) => {
      const b = Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId, localId: `l${serverId}` } }));
      return ((await receiveDelivery(db.client, b, new Date(at))) as { videoId: string }).videoId;
    };
    // The same file sent twice (an old and a new message) and a file only the old message had.
    const oldVideo = await received("shared-old", now - 40 * DAY);
    const newVideo = await received("shared-new", now);
    const dataDir = await mkdtemp(join(tmpdir(), "retention-shared-"));
    try {
      await mkdir(mediaDir(dataDir), { recursive: true });
      const longAgo = new Date(now - 40 * DAY);
      const shared = await cache(dataDir, oldVideo, "the same clip", longAgo);
      expect(await cache(dataDir, newVideo, "the same clip", longAgo)).toBe(shared);
      const sha256 = createHash("sha256").update("a preview only the old one had").digest("hex");
      await writeFile(join(mediaDir(dataDir), sha256), "a preview only the old one had");
      await utimes(join(mediaDir(dataDir), sha256), longAgo, longAgo);
      await recordMedia(db.client, oldVideo, "preview", { sha256, contentType: "image/jpeg", bytes: 30 }, "cdn");

      const result = await runRetention(db.client, { days: 30, store: new LocalStore(dataDir), pauseMs: 1 });
      expect(result.mediaFiles).toBe(1);
      expect((await readdir(mediaDir(dataDir))).filter((name) => name !== "tmp").sort()).toEqual([shared]);
      const { rows } = await db.pool.query(`SELECT "videoEventId"::text AS id, kind::text, sha256 FROM media_files WHERE "videoEventId" = ANY($1::bigint[])`, [[oldVideo, newVideo]]);
      expect(rows).toEqual([{ id: newVideo, kind: "video", sha256: shared }]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("what the overview says is kept", () => {
  it("names the policy in force, by when things were received", () => {
    expect(describeRetention(null)).toBe("Keeping everything: set RETENTION_DAYS to delete older videos.");
    expect(describeRetention(30)).toBe("Keeping the last 30 days: videos, deliveries and cached media received earlier are deleted every hour.");
    expect(describeRetention(1)).toMatch(/^Keeping the last day:/);
  });
});
