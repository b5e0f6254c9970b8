// npm start: runs the launcher compiled by `npm run build` (dist/start.mjs, from scripts/start.ts).
// In a development checkout it is compiled first when missing or older than its sources; a
// production install (`npm prune --omit=dev`) has no compiler and runs the one it was built with.
import { buildLauncher, LAUNCHER, launcherIsStale } from "./build-launcher.mjs";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

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
