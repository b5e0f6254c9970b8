// npm run seed -- --videos N [--database-url URL] [--summaries triggers|rebuild] [--chunk N]
// Writes N realistic video events straight into the database (demos, benchmarks).
import "./env";
import { parseArgs } from "node:util";
import { z } from "zod";
import { config } from "../lib/config";
import { createPool } from "../lib/db/client";
import { seedShape, seedVideos } from "../lib/seed/videos";

const argsSchema = z.object({
  videos: z.coerce.number().int().min(1).max(100_000_000),
  "database-url": z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional(),
  summaries: z.enum(["triggers", "rebuild"]).default("rebuild"),
  chunk: z.coerce.number().int().min(1).optional(),
  parallel: z.coerce.number().int().min(1).max(16).default(2),
});

const { values } = parseArgs({
  options: {
    videos: { type: "string" },
    "database-url": { type: "string" },
    summaries: { type: "string" },
    chunk: { type: "string" },
    parallel: { type: "string" },
  },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`usage: npm run seed -- --videos N [--database-url URL] [--summaries triggers|rebuild] [--chunk ROWS] [--parallel N]\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  process.exit(2);
}
const args = parsed.data;
const url = args["database-url"] ?? config().DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: pass --database-url or set DATABASE_URL (run `npm run db:migrate` on it first)");
  process.exit(2);
}
const shape = seedShape(args.videos);
console.log(`seeding ${args.videos} videos (${shape.senders} senders, ${shape.groups} group chats, ${shape.instances} robots; summaries: ${args.summaries})`);
const db = createPool(url, 2);
try {
  const result = await seedVideos(db, {
    videos: args.videos,
    chunkSize: args.chunk,
    parallel: args.parallel,
    summaries: args.summaries,
    onProgress: (done, total) => process.stdout.write(`\r  ${done}/${total}`),
  });
  process.stdout.write("\n");
  console.log(
    `inserted ${result.inserted} videos in ${result.seconds.toFixed(1)} s (${Math.round(result.inserted / result.seconds)} rows/s): ` +
      `rows ${result.insertSeconds.toFixed(1)} s${result.insertCpuSeconds === null ? "" : ` (${result.insertCpuSeconds.toFixed(1)} CPU s in PostgreSQL)`}, ` +
      `summaries ${(result.seconds - result.insertSeconds).toFixed(1)} s`,
  );
} finally {
  await db.end();
}
