// npm start: runs the launcher compiled by `npm run build` (dist/start.mjs, from scripts/start.ts).
// In a development checkout it is compiled first when missing or older than its sources; a
// production install (`npm prune --omit=dev`) has no compiler and runs the one it was built with.
import { buildLauncher, LAUNCHER, launcherIsStale } from "./build-launcher.mjs";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

if (launcherIsStale()) {
  try {
    await buildLauncher();
  } catch (err) {
    if (!existsSync(LAUNCHER)) {
      console.error(`[start] cannot compile the launcher (${err.message.split("\n")[0]}): run \`npm run build\` in an install with devDependencies`);
      process.exit(1);
    }
    console.error("[start] the launcher is older than its sources and cannot be recompiled here (no devDependencies): running the one built");
  }
}
await import(pathToFileURL(LAUNCHER).href);
