// npm run chaos -- --minutes N [--rate R]: see scripts/chaos/run.ts. Needs `next build` first.
// Exits 1 when the promise did not hold.
import { parseArgs } from "node:util";
import { runChaos } from "./chaos/run";

const { values } = parseArgs({ options: { minutes: { type: "string", default: "2" }, rate: { type: "string", default: "30" } } });
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0) || !(rate > 0)) {
  console.error("usage: npm run chaos -- --minutes N [--rate R]");
  process.exit(2);
}
const report = await runChaos({ minutes, rate });
console.log(JSON.stringify({ ...report, violations: report.violations.length }, null, 2));
for (const v of report.violations.slice(0, 50)) console.log(`VIOLATION ${v}`);
console.log(
  report.violations.length === 0
    ? `[chaos] the promise held: ${report.deliveriesAnswered200} deliveries answered 200 (${report.videosAnswered200} videos) each stored exactly once through ${report.kills} kills, ${report.databaseRestarts} database restarts, ${report.diskFullEpisodes} disk-full episodes`
    : `[chaos] ${report.violations.length} violations`,
);
process.exit(report.violations.length === 0 ? 0 : 1);
