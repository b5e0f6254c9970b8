// npm run db:partition: turns video_events into monthly partitions by sendTime, online (callbacks
// keep being stored meanwhile), or, run again later, creates the months ahead that are missing.
// See lib/db/partition.ts and docs/performance.md.
import "./env";
import { createPool } from "../lib/db/client";
import { partitionVideoEvents } from "../lib/db/partition";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: partitioning is for a server's PostgreSQL (apply migrations first with npm run db:migrate)");
  process.exit(2);
}
const db = createPool(url, 2);
try {
  const report = await partitionVideoEvents(db, { onStep: (step) => console.log(step) });
  console.log(report.created.length ? `partitions created: ${report.created.join(", ")}` : "no partition was missing");
} finally {
  await db.end();
}
