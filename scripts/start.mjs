// npm start: runs the launcher compiled by `npm run build` (dist/start.mjs, from scripts/start.ts).
// In a development checkout it is compiled first when missing or older than its sources; a
// production install (`npm prune --omit=dev`) has no compiler and runs the one it was built with.
import { buildLauncher, LAUNCHER, launcherIsStale } from "./build-launcher.mjs";
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

// package.json's engines say which Node the tests ran on; another one still starts, with a warning.
const tested = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).engines.node;
if (process.versions.node.split(".")[0] !== /\d+/.exec(tested)[0]) {
  console.error(
    `[start] Node ${process.versions.node}: this version is tested on Node ${tested} only (Node 20 reached its end of life in April 2026). ` +
      'Install Node 24, or run: PATH="$(bash scripts/ensure-node.sh):$PATH" npm start',
  );
}

// A production install has no esbuild and runs what `npm run build` compiled, whatever the times.
const canCompile = existsSync(new URL("../node_modules/esbuild/package.json", import.meta.url));
if (canCompile ? launcherIsStale() : !existsSync(LAUNCHER)) {
  if (!canCompile) {
    console.error("[start] no compiled launcher (dist/start.mjs), and no devDependencies to compile it: run `npm run build` first");
    process.exit(1);
  }
  await buildLauncher();
}
await import(pathToFileURL(LAUNCHER).href);
