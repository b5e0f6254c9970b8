// npm run db:partition: turns video_events into monthly partitions by sendTime, online (callbacks
// keep being stored meanwhile), or, run again later, creates the months ahead that are missing.
// SIGINT or SIGTERM stops it and undoes what it added: the table is left as it was. (Run through
// tsx 4.23, a signal ends the process before this handler runs; then the conversion's advisory lock
// goes with it, and every app instance drops the bound check within a minute: dropAbandonedConversion.)
// See lib/db/partition.ts and docs/performance.md.
import "./env";
import { createPool } from "../lib/db/client";
import { partitionVideoEvents } from "../lib/db/partition";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: partitioning is for a server's PostgreSQL (apply migrations first with npm run db:migrate)");
  process.exit(2);
}
// One connection holds the conversion's lock, one runs a step, one can cancel it.
const db = createPool(url, 4);
const interrupt = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => interrupt.abort(new Error(`${signal}: interrupted`)));
try {
  const report = await partitionVideoEvents(db, { onStep: (step) => console.log(step), signal: interrupt.signal });
  console.log(report.created.length ? `partitions created: ${report.created.join(", ")}` : "no partition was missing");
} catch (err) {
  console.error(`db:partition: ${(err as Error).message.split("\n")[0]}`);
  process.exitCode = interrupt.signal.aborted ? 130 : 1;
} finally {
  await db.end();
}
