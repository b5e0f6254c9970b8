// npm run bench [-- --quick] [-- --only ingest|queries|export|export-zip|live|forward] [--build] [--videos N]
// Runs every benchmark in turn and prints one table: figure, baseline, ratio, goal, met?
// Not part of `npm test`: these take minutes and measure the machine as much as the code.
import { spawn } from "node:child_process";
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
  "export-zip": async () => runExportZipBench,
  live: async () => (await import("./live")).run,
  forward: async () => (await import("./forward")).run,
  archive: async () => (await import("./archive")).run,
};

/**
 * bench/export.ts belongs to the export feature: it runs as its own process and prints its own
 * figures; the ones it states with a goal are read back from its output for the summary.
 */
async function runExportBench(options: BenchOptions): Promise<Figure[]> {
  const file = join(process.cwd(), "bench", "export.ts");
  if (!existsSync(file)) {
    console.log("bench/export.ts: not available, skipped");
    return [{ bench: "export", name: "export benchmark", value: NaN, unit: "", goal: "see bench/export.ts", met: null, note: "not available" }];
  }
  section("export (bench/export.ts)");
  const { code, output } = await runStandalone(file, options.quick ? ["--rows", "100000", "--runs", "1"] : []);
  const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? NaN);
  const figures: Figure[] = [];
  const ratio = /ratio to COPY: ([\d.]+) \(goal >= ([\d.]+): (met|NOT met)/.exec(output);
  if (ratio) {
    figures.push({
      bench: "export", name: "GET /api/export csv rate vs COPY", value: num(/format=csv:\s+(\d+) rows\/s/), unit: "rows/s",
      baseline: { label: "COPY TO STDOUT rows/s", value: num(/TO STDOUT \(csv\):\s+(\d+) rows\/s/) }, ratio: Number(ratio[1]),
      goal: `>= ${ratio[2]}`, met: ratio[3] === "met",
    });
  }
  const rss = /peak (\d+) MB \(goal < (\d+) MB: (met|NOT met)\)/.exec(output);
  if (rss) {
    figures.push({
      bench: "export", name: "server RSS peak during export", value: Number(rss[1]), unit: "MB",
      baseline: { label: "idle MB", value: num(/server RSS: (\d+) MB idle/) }, goal: `< ${rss[2]} MB`, met: rss[3] === "met",
    });
  }
  if (code !== 0 || figures.length === 0) {
    figures.push({
      bench: "export", name: "bench/export.ts", value: code ?? NaN, unit: "(exit code)", goal: "its own goals, printed above",
      met: code === 0 ? null : false, note: code === 0 ? "ran: see its figures above" : `exited with ${code}`,
    });
  }
  return figures;
}

/** Runs a benchmark that is its own program (tsx `file` `args`), passing its output through; returns it. */
async function runStandalone(file: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(process.cwd(), "node_modules", "tsx", "dist", "cli.mjs"), file, ...args], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
    process.stdout.write(d);
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, output };
}

/**
 * bench/export-zip.ts (issue 25, the zip export with the videos) runs as its own process too:
 * about 5 GiB through the server (0.5 GiB with --quick); its MET/NOT MET lines are read back.
 */
async function runExportZipBench(options: BenchOptions): Promise<Figure[]> {
  section("export-zip (bench/export-zip.ts)");
  const { code, output } = await runStandalone(join(process.cwd(), "bench", "export-zip.ts"), options.quick ? ["--quick"] : []);
  const figures: Figure[] = [];
  const rss = /server RSS: (\d+) MB idle, peak (\d+) MB during the zip \(goal < (\d+) MB: (MET|NOT MET)\)/.exec(output);
  const rate = /format=zip:\s+([\d.]+) GiB in [\d.]+ s, (\d+) MB\/s \(ratio to the baseline: ([\d.]+)\)/.exec(output);
  const base = /\(baseline\):\s+[\d.]+ GiB in [\d.]+ s, (\d+) MB\/s/.exec(output);
  if (rss) {
    figures.push({
      bench: "export-zip", name: `server RSS peak, zip of ${rate?.[1] ?? "?"} GiB`, value: Number(rss[2]), unit: "MB",
      baseline: { label: "idle MB", value: Number(rss[1]) }, goal: `< ${rss[3]} MB`, met: rss[4] === "MET",
    });
  }
  if (rate) {
    figures.push({
      bench: "export-zip", name: "GET /api/export?format=zip rate", value: Number(rate[2]), unit: "MB/s",
      baseline: { label: "store read MB/s", value: Number(base?.[1] ?? NaN) }, ratio: Number(rate[3]), goal: "(no goal)", met: null,
    });
  }
  const read = /Python zipfile read every entry \(CRC-checked\): (.*): (MET|NOT MET)/.exec(output);
  if (read) figures.push({ bench: "export-zip", name: "zip read whole by Python's zipfile", value: NaN, unit: "", goal: "every entry", met: read[2] === "MET", note: read[1] });
  if (code !== 0 || figures.length === 0) {
    figures.push({ bench: "export-zip", name: "bench/export-zip.ts", value: code ?? NaN, unit: "(exit code)", goal: "runs", met: code === 0 ? null : false, note: `exited with ${code}` });
  }
  return figures;
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
