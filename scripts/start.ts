// npm start: the whole app in one command. Reads `.env` as Next does; uses DATABASE_URL, or
// starts the embedded PostgreSQL under DATA_DIR; applies migrations; builds the app when the
// build is missing or older than the sources (in a checkout with devDependencies); then serves
// it with `next start` and stops everything on Ctrl-C. Compiled to dist/start.mjs by
// `npm run build` (scripts/build-launcher.mjs), so no TypeScript runs at run time.
import "./env";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, exposureProblem, parseConfig } from "../lib/config";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/db/embedded";
import { applyMigrations } from "../lib/db/migrate";
import { nextStartArgs, serverEnv } from "../lib/shared/server-process";

const say = (line: string) => console.log(`[start] ${line}`);

async function main() {
  let cfg;
  try {
    cfg = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const problem = exposureProblem(cfg);
  if (problem) fail(problem);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = cfg.DATABASE_URL;
  if (!databaseUrl) {
    say(`DATABASE_URL is unset: starting the embedded PostgreSQL in ${join(cfg.DATA_DIR, "postgres")}`);
    embedded = await startEmbeddedPostgres(cfg.DATA_DIR);
    databaseUrl = embedded.url;
  }
  let stopping = false;
  const stopDatabase = async () => {
    if (embedded) {
      say("stopping the embedded PostgreSQL");
      await embedded.stop().catch(() => {});
      embedded = undefined;
    }
  };
  try {
    const applied = await applyMigrations(databaseUrl);
    say(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");
    if (process.env.SKIP_BUILD !== "1" && canBuild() && buildIsStale()) {
      say("building the app (first start, or sources changed)");
      const build = spawnSync(nextBin(), ["build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
      if (build.status !== 0) throw new Error("next build failed");
    }
  } catch (err) {
    await stopDatabase();
    fail((err as Error).message);
  }

  say(`serving on http://${cfg.HOST.includes(":") ? `[${cfg.HOST}]` : cfg.HOST}:${cfg.PORT} (callback URL: /api/callback${cfg.CALLBACK_TOKEN ? "?token=…" : ""})`);
  const server = spawn(nextBin(), nextStartArgs(cfg.HOST, cfg.PORT), {
    stdio: "inherit",
    env: { ...serverEnv(process.env), DATABASE_URL: databaseUrl },
  });
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the app`);
    server.kill(signal);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  server.on("exit", async (code, signal) => {
    await stopDatabase();
    process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
  });
}

/**
 * A production install (`npm prune --omit=dev`) cannot build: it serves the build it has. The
 * build's own devDependency tells (not typescript, which a dependency may keep as a peer).
 */
function canBuild(): boolean {
  if (existsSync(join(process.cwd(), "node_modules", "@tailwindcss", "postcss"))) return true;
  if (!existsSync(join(process.cwd(), ".next", "BUILD_ID"))) throw new Error("no build, and no devDependencies to build with: run `npm run build` first");
  return false;
}

function nextBin(): string {
  return join(process.cwd(), "node_modules", ".bin", "next");
}

/** True when there is no production build, or a source file is newer than it. */
function buildIsStale(): boolean {
  const buildId = join(process.cwd(), ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  const newer = (path: string): boolean => {
    if (!existsSync(path)) return false;
    const st = statSync(path);
    if (!st.isDirectory()) return st.mtimeMs > builtAt;
    return readdirSync(path).some((name) => newer(join(path, name)));
  };
  return ["app", "components", "lib", "next.config.js", "package-lock.json", "postcss.config.mjs"].some((p) => newer(join(process.cwd(), p)));
}

function fail(message: string): never {
  console.error(`[start] ${message}`);
  process.exit(1);
}

await main();
