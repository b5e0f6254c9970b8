// Lets each benchmark file run on its own (`npx tsx bench/<name>.ts [--quick]`) as well as
// from bench/run.ts.
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { type Figure, printFigures, section } from "./report";
import { benchOptions, cleanup, ensureBuild, type BenchOptions } from "./setup";

export async function runStandalone(moduleUrl: string, run: (options: BenchOptions) => Promise<Figure[]>): Promise<void> {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const options = benchOptions();
  process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    ensureBuild(options.build);
    const figures = await run(options);
    section("figures");
    printFigures(figures);
  } finally {
    await cleanup();
  }
}
