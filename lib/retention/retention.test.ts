import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/receive";
import { describeRetention, runRetention } from "./retention";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const DAY = 86_400_000;

describe("retention", () => {
  it("deletes events, deliveries and cached media older than the kept days, in batches, and the summaries follow", async () => {
    const now = Date.now();
    for (let i = 0; i < 7; i++) {
      const old = i < 5;
      const sendTime = old ? now - 40 * DAY - i * 1000 : now - i * 1000;
      const b = Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId: `R${i}`, sendTime, conversationId: old ? "old-chat" : "new-chat" } }));
      await receiveDelivery(db.pool, b, new Date(old ? now - 40 * DAY : now));
    }
    const dataDir = await mkdtemp(join(tmpdir(), "retention-"));
    try {
      await mkdir(join(dataDir, "media", "ab"), { recursive: true });
      const oldFile = join(dataDir, "media", "ab", "old.mp4");
      await writeFile(oldFile, "x");
      await utimes(oldFile, new Date(now - 40 * DAY), new Date(now - 40 * DAY));
      await writeFile(join(dataDir, "media", "ab", "fresh.mp4"), "y");

      const result = await runRetention(db.pool, { days: 30, dataDir, batchSize: 2, pauseMs: 1 });
      expect(result).toMatchObject({ videoEvents: 5, deliveries: 5, mediaFiles: 1 });
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM video_events`);
      expect(rows[0].n).toBe(2);
      const conv = await db.pool.query(`SELECT "conversationId", "videoCount" FROM conversation_summaries ORDER BY 1`);
      expect(conv.rows).toEqual([{ conversationId: "new-chat", videoCount: 2 }]);
      expect(await readdir(join(dataDir, "media", "ab"))).toEqual(["fresh.mp4"]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("what the overview says is kept", () => {
  it("names the policy in force", () => {
    expect(describeRetention(null)).toBe("Keeping everything: set RETENTION_DAYS to delete older videos.");
    expect(describeRetention(30)).toMatch(/^Keeping the last 30 days: older videos, deliveries and cached media are deleted/);
    expect(describeRetention(1)).toMatch(/^Keeping the last day:/);
  });
});
