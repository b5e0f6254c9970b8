// Run by lib/ingest/spool-disk.test.ts under `ulimit -f`: a receiver whose database is down posts
// deliveries into its spool until the file-size limit stops a write, then goes on. Prints each
// delivery's marker and answer as one JSON line, and exits (its spool is left for adoption).
import { Ingestor } from "../lib/ingest/ingestor";

const [dataDir, deadUrl, count] = process.argv.slice(2);
const ingestor = await Ingestor.start({ databaseUrl: deadUrl, dataDir, retryMs: 60_000 });
const answers: { marker: string; status: number }[] = [];
for (let i = 0; i < Number(count); i++) {
  const marker = `child-${i}`;
  // About 1.4 kB per record once base64'd: a few dozen fill a 64 kB file.
  const body = Buffer.from(JSON.stringify({ event: "20005", time: Date.now(), data: { serverId: marker, padding: "x".repeat(1000) } }));
  answers.push({ marker, status: (await ingestor.receive(body)).status });
}
console.log(JSON.stringify(answers));
process.exit(0);
