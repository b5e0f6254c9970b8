// npm run bench [-- --quick] [-- --only ingest|queries|export|live] [--build] [--videos N]
// Runs every benchmark in turn and prints one table: figure, baseline, ratio, goal, met?
// Not part of `npm test`: these take minutes and measure the machine as much as the code.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { type Figure, printFigures, section } from "./lib/report";
import { benchOptions, cleanup, ensureBuild, type BenchOptions } from "./lib/setup";

type Bench = (options: BenchOptions) => Promise<Figure[]>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  ingest: async () => (await import("./ingest")).run,
  queries: async () => (await import("./queries")).run,
  export: async () => runExportBench,
  live: async () => (await import("./live")).run,
};

/** bench/export.ts belongs to the export feature: it runs as its own process and prints its own figures. */
async function runExportBench(options: BenchOptions): Promise<Figure[]> {
  const file = join(process.cwd(), "bench", "export.ts");
  if (!existsSync(file)) {
    console.log("bench/export.ts: not available, skipped");
    return [{ bench: "export", name: "export benchmark", value: NaN, unit: "", goal: "see bench/export.ts", met: null, note: "not available" }];
  }
  section("export (bench/export.ts)");
  const args = [join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs"), file, ...(options.quick ? ["--quick"] : [])];
  const result = spawnSync(process.execPath, args, { stdio: "inherit", env: process.env });
  return [{
    bench: "export", name: "bench/export.ts", value: result.status ?? NaN, unit: "(exit code)", goal: "its own goals, printed above",
    met: null, note: result.status === 0 ? "ran: see its figures above" : `exited with ${result.status ?? result.signal}`,
  }];
}

const options = benchOptions();
if (options.only && !BENCHES[options.only]) {
  console.error(`--only must be one of: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free), load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; node ${process.version}${options.quick ? "; --quick (reduced sizes)" : ""}`);
const figures: Figure[] = [];
try {
  ensureBuild(options.build);
  for (const [name, load] of Object.entries(BENCHES)) {
    if (options.only && options.only !== name) continue;
    try {
      figures.push(...(await (await load())(options)));
    } catch (err) {
      console.error(`${name} failed: ${(err as Error).stack ?? err}`);
      figures.push({ bench: name, name: "benchmark run", value: NaN, unit: "", goal: "runs", met: false, note: (err as Error).message.split("\n")[0] });
    }
    await cleanup();
  }
} finally {
  await cleanup();
}
section("summary");
console.log(`load average now: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (anything else running on these cores shows in every figure)`);
printFigures(figures);
