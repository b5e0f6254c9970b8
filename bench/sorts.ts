// The lists' orders on a seeded history (1M videos; 100k with --quick): the first page and the
// 21st (20 cursors on) of /api/videos for each `sort`, unfiltered and within one busy sender, timed
// through listVideos (the route's one call), median of 7. Baseline: newest first (`-time`), the
// order the lists always had, in the same run.
// `npx tsx bench/sorts.ts [--quick] [--videos N] [--database-url URL]`
import { createDb, createPool } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { seedVideos } from "../lib/seed/videos";
import { parseVideoFilters } from "../lib/videos/filters";
import { listVideos } from "../lib/videos/list";
import { parseSortedPage, VIDEO_SORTS, type VideoSort } from "../lib/videos/sort";
import type { Figure } from "./lib/report";
import { freshDatabase, type BenchOptions } from "./lib/setup";
import { runStandalone } from "./lib/standalone";
import { summarise } from "./lib/stats";

const GOAL_MS = 50;

export async function runSorts(options: BenchOptions): Promise<Figure[]> {
  const videos = options.videos ?? (options.quick ? 100_000 : 1_000_000);
  const url = options.databaseUrl ?? (await freshDatabase("vd_bench_sorts"));
  await applyMigrations(url);
  const pool = createPool(url, 4);
  const db = createDb(pool);
  try {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM video_events`);
    if (rows[0].n < videos) {
      console.log(`seeding ${videos - rows[0].n} videos...`);
      await seedVideos(pool, { videos: videos - rows[0].n, summaries: "rebuild" });
      await pool.query("VACUUM ANALYZE");
    }
    const { rows: busiest } = await pool.query<{ fromWxId: string; n: number }>(`SELECT "fromWxId", "videoCount" AS n FROM sender_summaries ORDER BY "videoCount" DESC LIMIT 1`);
    // A rare search term: one small conversation's id. Newest first reads it through the
    // conversation's index; the other orders test rows along their own index until a page is full.
    const { rows: small } = await pool.query<{ conversationId: string; n: number }>(
      `SELECT "conversationId", "videoCount" AS n FROM conversation_summaries WHERE "videoCount" BETWEEN 5 AND 60 ORDER BY "conversationId" LIMIT 1`,
    );
    const figures: Figure[] = [];
    const time = async (sort: VideoSort, query: string, pages: number) => {
      const samples: number[] = [];
      for (let run = 0; run < 8; run++) {
        let cursor = "";
        for (let p = 0; p < pages; p++) {
          const params = new URLSearchParams(`${query}&sort=${encodeURIComponent(sort)}&limit=50${cursor ? `&cursor=${cursor}` : ""}`);
          const started = performance.now();
          const page = await listVideos(db, parseVideoFilters(params), parseSortedPage(params));
          if (p === pages - 1 && run > 0) samples.push(performance.now() - started);
          cursor = page.nextCursor ?? "";
        }
      }
      return summarise(samples.sort((a, b) => a - b)).p50;
    };
    const cases = [
      ["all videos", "", [["page 1", 1], ["page 21", 21]]],
      [`one sender (${busiest[0].n} videos)`, `fromWxId=${encodeURIComponent(busiest[0].fromWxId)}`, [["page 1", 1], ["page 21", 21]]],
      [`q matching one conversation (${small[0].n} videos)`, `q=${encodeURIComponent(small[0].conversationId)}`, [["page 1", 1]]],
    ] as const;
    for (const [label, query, at] of cases) {
      for (const [where, pages] of at) {
        const baseline = await time("-time", query, pages);
        for (const sort of VIDEO_SORTS) {
          const ms = sort === "-time" ? baseline : await time(sort, query, pages);
          figures.push({
            bench: "sorts", name: `sort=${sort}, ${label}, ${where}`, value: ms, unit: "ms",
            baseline: { label: "-time ms", value: baseline }, ratio: ms / baseline,
            goal: `p50 under ${GOAL_MS} ms`, met: ms < GOAL_MS,
          });
        }
      }
    }
    return figures;
  } finally {
    await db.$disconnect();
    await pool.end();
  }
}

await runStandalone(import.meta.url, runSorts);
