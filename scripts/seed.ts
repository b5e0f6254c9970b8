// npm run seed -- --videos N [--senders N] [--conversations N] [--database-url URL] [--summaries triggers|rebuild] [--chunk N]
// Writes N realistic video events straight into the database (demos, benchmarks).
import "./env";
import { parseArgs } from "node:util";
import { z } from "zod";
import { config } from "../lib/config";
import { createPool } from "../lib/db/client";
import { progressBar } from "../lib/seed/progress";
import { seedShape, seedVideos } from "../lib/seed/videos";

const argsSchema = z.object({
  videos: z.coerce.number().int().min(1).max(100_000_000),
  senders: z.coerce.number().int().min(1).max(10_000_000).optional(),
  conversations: z.coerce.number().int().min(2).max(10_000_000).optional(),
  "database-url": z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  summaries: z.enum(["triggers", "rebuild"]).default("rebuild"),
  chunk: z.coerce.number().int().min(1).optional(),
  parallel: z.coerce.number().int().min(1).max(16).default(2),
});

const { values } = parseArgs({
  options: {
    videos: { type: "string" },
    senders: { type: "string" },
    conversations: { type: "string" },
    "database-url": { type: "string" },
    summaries: { type: "string" },
    chunk: { type: "string" },
    parallel: { type: "string" },
  },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`usage: npm run seed -- --videos N [--senders N] [--conversations N] [--database-url URL] [--summaries triggers|rebuild] [--chunk ROWS] [--parallel N]\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  process.exit(2);
}
const args = parsed.data;
const url = args["database-url"] ?? config().DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: pass --database-url or set DATABASE_URL (run `npm run db:migrate` on it first)");
  process.exit(2);
}
const shape = seedShape(args.videos, args);
console.log(
  `seeding ${args.videos} videos (${shape.senders} senders, ${shape.groups} group chats, ${shape.privateChats} private chats, ` +
    `${shape.instances} robots; summaries: ${args.summaries})`,
);
// The loaders, then two index builds beside the summary rebuild.
const db = createPool(url, Math.max(3, args.parallel));
try {
  const result = await seedVideos(db, {
    videos: args.videos,
    senders: args.senders,
    conversations: args.conversations,
    chunkSize: args.chunk,
    parallel: args.parallel,
    summaries: args.summaries,
    onProgress: progressBar(process.stdout),
    onPhase: (phase) => console.log(phase),
  });
  const cpu = (seconds: number | null) => (seconds === null ? "" : ` (${seconds.toFixed(1)} CPU s in PostgreSQL)`);
  console.log(
    `inserted ${result.inserted} videos in ${result.seconds.toFixed(1)} s (${Math.round(result.inserted / result.seconds)} rows/s): ` +
      `rows ${result.insertSeconds.toFixed(1)} s${cpu(result.insertCpuSeconds)}, ` +
      `then indexes and summaries at once ${(result.seconds - result.insertSeconds).toFixed(1)} s` +
      `${result.indexCpuSeconds === null ? "" : `; indexes ${result.indexCpuSeconds.toFixed(1)} CPU s`}` +
      `${result.summaryCpuSeconds === null ? "" : `; summaries ${result.summaryCpuSeconds.toFixed(1)} CPU s`}`,
  );
} finally {
  await db.end();
}
