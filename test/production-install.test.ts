// A production install, as the README gives it: `npm ci && npm run build && npm prune --omit=dev &&
// npm start`. `npm ci` and `npm run build` are what `npm test` has just done in this checkout (minutes
// each: reused). The checkout's files, its build and its node_modules are copied to a temporary
// directory (node_modules as hard links), `npm prune --omit=dev` runs there, and `npm start` must
// then serve a healthy app configured only by a `.env` file, with no tsx, TypeScript or esbuild.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort } from "../lib/db/embedded";
import { useTestDatabase } from "./support/db";

const root = resolve(import.meta.dirname, "..");
const db = useTestDatabase();
let dir: string;
let app: ChildProcess | undefined;
let output = "";

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  for (const built of [".next/BUILD_ID", "dist/start.mjs"]) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
  }
  dir = mkdtempSync(join(tmpdir(), "production-install-"));
  // The files a clean clone has (tracked, or new and not ignored), with their times, as a checkout.
  const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root).split("\0").filter(Boolean);
  for (const file of files) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(dir, file), { preserveTimestamps: true });
  }
  cpSync(join(root, ".next"), join(dir, ".next"), { recursive: true, preserveTimestamps: true, filter: (src) => !src.startsWith(join(root, ".next", "cache")) });
  cpSync(join(root, "dist"), join(dir, "dist"), { recursive: true, preserveTimestamps: true });
  run("cp", ["-al", join(root, "node_modules"), join(dir, "node_modules")], root);
  // npm rewrites its hidden lockfile in place: a hard link would carry that back into the checkout.
  const hidden = join(dir, "node_modules", ".package-lock.json");
  if (existsSync(hidden)) {
    rmSync(hidden);
    copyFileSync(join(root, "node_modules", ".package-lock.json"), hidden);
  }
  run("npm", ["prune", "--omit=dev", "--no-audit", "--no-fund", "--offline"], dir);
}, 120_000);

afterAll(async () => {
  if (app && app.exitCode === null && app.signalCode === null) {
    const exited = new Promise((r) => app!.once("exit", r));
    process.kill(-app.pid!, "SIGKILL");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("after npm prune --omit=dev, npm start serves a healthy app configured by .env alone", async () => {
  // typescript itself may stay: graphile-worker's cosmiconfig names it as an optional peer, and
  // npm keeps a peer that is present. Nothing at run time compiles TypeScript (tsx is gone).
  for (const devOnly of ["tsx", "esbuild", "vitest"]) expect(existsSync(join(dir, "node_modules", devOnly)), devOnly).toBe(false);
  // The prisma CLI stays for the same reason (an optional peer of @prisma/client), but nothing at
  // run time may need it: the client is generated and committed (lib/db/generated/prisma), and
  // migrations run on the WebAssembly engine. Removed here, so the app is seen to start without it.
  for (const cli of ["prisma", "@prisma/engines"]) rmSync(join(dir, "node_modules", cli), { recursive: true, force: true });
  const port = await freePort();
  writeFileSync(
    join(dir, ".env"),
    `DATABASE_URL=${db.url}\nPORT=${port}\nHOST=127.0.0.1\nDATA_DIR=${join(dir, ".data")}\nCALLBACK_TOKEN=prod-install-token\nLOG_LEVEL=warn\n`,
  );
  // Nothing from this process's environment may configure the app: only .env.
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  for (const name of Object.keys(env)) if (/^(DATABASE_URL|PORT|HOST|DATA_DIR|CALLBACK_TOKEN|LOG_LEVEL|NODE_OPTIONS|VITEST.*|TEST)$/.test(name)) delete env[name];
  const child = spawn("npm", ["start"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  app = child;
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  let health: unknown;
  while (Date.now() < deadline && child.exitCode === null) {
    health = await fetch(`${url}/api/health`).then((r) => (r.ok ? r.json() : null), () => null);
    if (health) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(health, output).toMatchObject({ status: "ok", database: "ok" });
  expect(output).not.toMatch(/embedded PostgreSQL|building the app|older than/);


  const example = readFileSync(join(root, "test", "fixtures", "provider-example-20004.json"));
  const refused = await fetch(`${url}/api/callback`, { method: "POST", body: example });
  expect(refused.status).toBe(401);
  expect(await refused.json()).toMatchObject({ code: "unauthorized" });
  const accepted = await fetch(`${url}/api/callback?token=prod-install-token`, { method: "POST", body: example });
  expect(accepted.status, output).toBe(200);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM video_events`);
  expect(rows[0].n).toBe(1);

  // As a service manager stops it: SIGTERM to the process group (npm itself dies of the signal).
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid!, "SIGTERM");
  await exited;
  await expect.poll(() => fetch(`${url}/api/health`).then(() => "answering", () => "stopped"), { timeout: 30_000 }).toBe("stopped");
  expect(output).toMatch(/\[start\] SIGTERM: stopping the app/);
}, 120_000);
