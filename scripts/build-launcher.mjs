// Compiles the launcher (scripts/start.ts and the lib/ modules it uses) into one JavaScript file,
// dist/start.mjs, so `npm start` runs on a production install: no TypeScript, no tsx. Packages
// stay external (they are dependencies). The operators' commands are compiled beside it
// (`node dist/db-migrate.mjs`, `dist/db-partition.mjs`, `dist/export.mjs`). Part of `npm run build`; `npm start` runs it too when
// the launcher is missing or older than its sources and esbuild is at hand (a development checkout).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const LAUNCHER = join(process.cwd(), "dist", "start.mjs");
const ENTRY_POINTS = ["start", "db-migrate", "db-partition", "export"];
const SOURCES = [...ENTRY_POINTS.map((name) => `scripts/${name}.ts`), "scripts/env.ts", "lib", "package-lock.json"];

function newestSource(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

export function launcherIsStale() {
  if (!existsSync(LAUNCHER)) return true;
  const builtAt = statSync(LAUNCHER).mtimeMs;
  return SOURCES.some((p) => newestSource(join(process.cwd(), p)) > builtAt);
}

export async function buildLauncher() {
  const { build } = await import("esbuild");
  await build({
    entryPoints: ENTRY_POINTS.map((name) => join(process.cwd(), "scripts", `${name}.ts`)),
    outdir: join(process.cwd(), "dist"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await buildLauncher();
