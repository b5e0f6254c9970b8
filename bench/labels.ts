// npx tsx bench/labels.ts [--videos 200000] [--labels 500] [--runs 7]
// What names (issue 27) cost `q` and the export: the same searches and the same CSV export, on one
// seeded database, without labels and then with `--labels` conversations and robots named (each
// label a distinct text, so a term matches one). Medians of `--runs` warm runs; ratios against the
// run without labels. Creates its own database and drops it at the end.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createDb, createPool } from "../lib/db/client";
import { listConversations } from "../lib/conversations/list";
import { openExport } from "../lib/export/stream";
import { parseExportRequest } from "../lib/export/request";
import { listRobots } from "../lib/robots/list";
import { seedVideos } from "../lib/seed/videos";
import { NO_FILTERS } from "../lib/videos/filters";
import { listVideos } from "../lib/videos/list";
import { createDatabase, startTestServer } from "../test/support/postgres";

const { values } = parseArgs({ options: { videos: { type: "string", default: "200000" }, labels: { type: "string", default: "500" }, runs: { type: "string", default: "7" } } });
const VIDEOS = Number(values.videos);
const LABELS = Number(values.labels);
const RUNS = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(run: () => Promise<unknown>): Promise<number> {
  await run(); // warm
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

const server = await startTestServer();
const database = await createDatabase(server.adminUrl, { prefix: "vd_bench_labels" });
const pool = createPool(database.url, 4);
const db = createDb(pool);
try {
  await seedVideos(pool, { videos: VIDEOS, summaries: "rebuild" });
  // The seed writes videos only; robots are read from robot_instances, which callbacks keep.
  await pool.query(`INSERT INTO robot_instances ("robotId", "instanceId", "lastCallbackAt", "lastVideoAt")
    SELECT "robotId", "instanceId", max("receivedAt"), max("sendTime") FROM video_events GROUP BY 1, 2 ON CONFLICT DO NOTHING`);
  await pool.query("ANALYZE");
  const [{ conversationId: aConversation }] = await db.$queryRaw<{ conversationId: string }[]>`SELECT "conversationId" FROM conversation_summaries ORDER BY "videoCount" DESC OFFSET 7 LIMIT 1`;
  const [{ robotId: aRobot }] = await db.$queryRaw<{ robotId: string }[]>`SELECT "robotId" FROM robot_instances LIMIT 1`;
  const cases: [string, () => Promise<unknown>][] = [
    ["/api/videos?q=<a conversation's label>", () => listVideos(db, { ...NO_FILTERS, q: "标签-7" }, { limit: 50 })],
    ["/api/videos?q=wxid_ (walk)", () => listVideos(db, { ...NO_FILTERS, q: "wxid_" }, { limit: 50 })],
    ["/api/videos?q=张 (listing plan)", () => listVideos(db, { ...NO_FILTERS, q: "张" }, { limit: 50 })],
    ["/api/conversations?q=<label>", () => listConversations(db, { limit: 50, cursor: undefined, q: "标签-7" })],
    ["/api/conversations first page", () => listConversations(db, { limit: 50, cursor: undefined })],
    ["/api/videos?q=<a robot's label> (walk)", () => listVideos(db, { ...NO_FILTERS, q: `机器人-${aRobot}` }, { limit: 50 })],
    ["/api/robots?q=<label>", () => listRobots(db, { limit: 50, q: `机器人-${aRobot}` }, { silentAfterMs: 60_000 })],
    [
      "export CSV, all rows",
      async () => {
        const stream = await openExport(pool, parseExportRequest(new URLSearchParams("format=csv")));
        await pipeline(stream, new Writable({ write: (_c, _e, cb) => cb() }));
      },
    ],
  ];
  const before: number[] = [];
  for (const [, run] of cases) before.push(await timed(run));

  // Name LABELS conversations (the busiest first) and every robot.
  await pool.query(
    `INSERT INTO labels (kind, key, label) SELECT 'conversation', "conversationId", '标签-' || row_number() OVER (ORDER BY "videoCount" DESC) FROM conversation_summaries ORDER BY "videoCount" DESC LIMIT $1`,
    [LABELS],
  );
  await pool.query(`INSERT INTO labels (kind, key, label) SELECT DISTINCT ON ("robotId") 'robot', "robotId", '机器人-' || "robotId" FROM robot_instances`);
  await pool.query("ANALYZE labels");
  const after: number[] = [];
  for (const [, run] of cases) after.push(await timed(run));

  const labelled = await db.label.count();
  console.log(`${VIDEOS} videos, ${labelled} labels (conversation ${aConversation.slice(0, 24)}…, robot ${aRobot}), median of ${RUNS} warm runs`);
  console.log("| what | no labels (ms) | with labels (ms) | ratio |\n| --- | --- | --- | --- |");
  cases.forEach(([name], i) => console.log(`| ${name} | ${before[i].toFixed(1)} | ${after[i].toFixed(1)} | ${(after[i] / before[i]).toFixed(2)} |`));
} finally {
  await db.$disconnect();
  await pool.end();
  await database.drop();
  await server.stop();
}
