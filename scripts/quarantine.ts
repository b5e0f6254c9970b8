// npm run quarantine: what the spool's drain set aside (issue 24, docs/durability.md "Quarantine"):
// quarantined deliveries (in the deliveries log, also on /deliveries?outcome=quarantined) and
// dead-letter files under DATA_DIR/dead-letter. `npm run quarantine -- replay`, once the cause is
// fixed, stores the dead-letter files (deleting each one stored) and replays every quarantined
// delivery not yet stored by a replay, as the Replay button on /deliveries does for one.
import "./env";
import { config } from "../lib/config";
import { createDb, createPool } from "../lib/db/client";
import { replayQuarantined } from "../lib/deliveries/replay";
import { listDeadLetters, replayDeadLetters } from "../lib/ingest/dead-letter";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: the quarantine is in a server's PostgreSQL");
  process.exit(2);
}
const replay = process.argv[2] === "replay";
const dataDir = config().DATA_DIR;
const pool = createPool(url, 2);
const db = createDb(pool);
try {
  if (replay) {
    const letters = await replayDeadLetters(db, dataDir);
    const rows = await replayQuarantined(db);
    console.log(`dead-letter files stored: ${letters.stored}; quarantined deliveries replayed: ${rows.replayed}`);
    for (const f of letters.failed) console.log(`still failing: ${f.file}: ${f.error}`);
    for (const r of rows.stillFailing) console.log(`still failing: delivery ${r.id}: ${r.error}`);
    if (letters.failed.length + rows.stillFailing.length > 0) process.exitCode = 1;
  } else {
    const rows = await db.delivery.findMany({ where: { outcome: "quarantined" }, orderBy: { receivedAt: "desc" }, take: 100, select: { id: true, receivedAt: true, error: true } });
    for (const r of rows) console.log(`delivery ${r.id}  ${r.receivedAt.toISOString()}  ${r.error}`);
    for (const l of await listDeadLetters(dataDir)) console.log(`${l.file}  ${l.receivedAt.toISOString()}  ${l.error}`);
    console.log("replay them, once the cause is fixed: npm run quarantine -- replay");
  }
} finally {
  await db.$disconnect();
  await pool.end();
}
