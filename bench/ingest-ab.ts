// Two builds of the app, the callback of each, loaded by turns on one database: this checkout
// against another one (already built, `npm run build` there), to see what a change costs the
// callback when the machine is shared (a slot's load falls on both builds alike, turn by turn).
// Also the bare Node + pg receiver, by turns with them, for the ratio bench/ingest.ts judges.
// `npx tsx bench/ingest-ab.ts --baseline /path/to/other/checkout [--rounds 6] [--seconds 5]`
import { parseArgs } from "node:util";
import { byTurns, closedLoop, type LoadResult, type LoadTarget } from "./lib/load";
import { startBareReceiver } from "./lib/bare-receiver";
import { section } from "./lib/report";
import { appServer, callbackBodies, cleanup, freshDatabase } from "./lib/setup";

const { values } = parseArgs({ options: { baseline: { type: "string" }, rounds: { type: "string", default: "6" }, seconds: { type: "string", default: "5" }, connections: { type: "string", default: "50" } } });
if (!values.baseline) throw new Error("--baseline <checkout with a production build> is required");
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const line = (label: string, r: LoadResult) =>
  console.log(`  ${label.padEnd(24)} ${Math.round(r.throughput).toString().padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  errors ${r.errors}`);

/** The app server of the checkout at `dir` (its own build and node_modules). */
async function serverIn(dir: string, databaseUrl: string) {
  const here = process.cwd();
  process.chdir(dir);
  try {
    return await appServer(databaseUrl);
  } finally {
    process.chdir(here);
  }
}

let bare: Awaited<ReturnType<typeof startBareReceiver>> | undefined;
try {
  section(`callback A/B by turns: this checkout against ${values.baseline}, ${connections} connections, ${rounds} x ${seconds} s each`);
  const databaseUrl = await freshDatabase("vd_bench_ab");
  const baseline = await serverIn(values.baseline, databaseUrl);
  const current = await appServer(databaseUrl);
  bare = await startBareReceiver(databaseUrl);
  const bodies = callbackBodies(`ab${Date.now().toString(36)}`);
  let seq = 0;
  const nextSeq = () => seq++;
  const at = (url: string): LoadTarget => ({ url, body: bodies });
  const targets = [at(`${baseline.url}/api/callback`), at(`${current.url}/api/callback`), at(`${bare.url}/`)];
  for (const t of targets) await closedLoop([t], 10, 3, nextSeq);
  const [b, c, r] = await byTurns(targets, connections, rounds, seconds, nextSeq);
  line("baseline callback", b);
  line("this checkout callback", c);
  line("bare Node + pg receiver", r);
  console.log(`  ratio to the bare receiver: baseline ${(b.throughput / r.throughput).toFixed(2)}, this checkout ${(c.throughput / r.throughput).toFixed(2)}`);
  console.log(`  this checkout / baseline: ${(c.throughput / b.throughput).toFixed(2)} (throughput), p99 ${c.p99.toFixed(1)} against ${b.p99.toFixed(1)} ms`);
} finally {
  // Stopped before its database is dropped (cleanup), which would end its connections under it.
  await bare?.stop();
  await cleanup();
}
