// npm run chaos -- --minutes N [--rate R] [--skip <fault>]: see scripts/chaos/run.ts. Needs `next build` first.
// Exits 1 when the promise did not hold.
import { parseArgs } from "node:util";
import { FAULTS, runChaos, type Fault } from "./chaos/run";

const { values } = parseArgs({
  options: { minutes: { type: "string", default: "2" }, rate: { type: "string", default: "30" }, skip: { type: "string", multiple: true, default: [] } },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
// Every fault kind must happen at least once, unless skipped by name: --skip disk-full (where no tmpfs can be mounted).
const skip = values.skip.flatMap((s) => s.split(",")) as Fault[];
if (!(minutes > 0) || !(rate > 0) || skip.some((s) => !FAULTS.includes(s))) {
  console.error(`usage: npm run chaos -- --minutes N [--rate R] [--skip ${FAULTS.join("|")}]...`);
  process.exit(2);
}
const report = await runChaos({ minutes, rate, skip });
console.log(JSON.stringify({ ...report, violations: report.violations.length }, null, 2));
for (const v of report.violations.slice(0, 50)) console.log(`VIOLATION ${v}`);
console.log(
  report.violations.length === 0
    ? `[chaos] the promise held: ${report.deliveriesAnswered200} deliveries answered 200 (${report.videosAnswered200} videos) each stored exactly once through ${report.kills} kills, ${report.databaseRestarts} database restarts, ${report.diskFullEpisodes} disk-full episodes`
    : `[chaos] ${report.violations.length} violations`,
);
process.exit(report.violations.length === 0 ? 0 : 1);
