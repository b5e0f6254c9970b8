// Runs the production build (`next build` first) as a real server on a free port, for the
// browser tests and anything else that must go through HTTP. Stops its whole process group.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../lib/db/embedded";

export type AppServer = { url: string; port: number; dataDir: string; stop: () => Promise<void>; output: () => string };

/**
 * `env` must name DATABASE_URL; DATA_DIR defaults to a temporary directory removed on stop.
 * `options.host`: the address `next start` listens on (127.0.0.1 unless told).
 * `options.dev`: run `next dev` instead (it writes only under `.next/dev`, which `next build` keeps and
 * `next start` never reads, so it does not disturb the production build other suites use). Its
 * first compile is slow: readiness is awaited for 120 s instead of 60.
 */
export async function startAppServer(env: Record<string, string>, options: { host?: string; dev?: boolean } = {}): Promise<AppServer> {
  const port = await freePort();
  const ownDataDir = env.DATA_DIR ? null : mkdtempSync(join(tmpdir(), "video-dashboard-data-"));
  const dataDir = env.DATA_DIR ?? ownDataDir!;
  let output = "";
  const child: ChildProcess = spawn(join(process.cwd(), "node_modules", ".bin", "next"), [options.dev ? "dev" : "start", "-H", options.host ?? "127.0.0.1", "-p", String(port)], {
    // NODE_ENV as a user's shell has it, not vitest's "test": with "test", `next dev` rewrites tsconfig.json.
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "warn", ...(options.dev ? { NODE_ENV: "development" } : {}), ...env, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess();
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  };
  const stopProcess = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const readySeconds = options.dev ? 120 : 60;
  const deadline = Date.now() + readySeconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited before it was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app did not become healthy within ${readySeconds} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, dataDir, stop, output: () => output };
}

/** The pid of the process listening on `port` (next start forks a next-server that does). */
export function listenerPid(port: number): number {
  const out = execFileSync("ss", ["-Htlnp", `sport = :${port}`], { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(out);
  if (!m) throw new Error(`no process listens on ${port}: ${out}`);
  return Number(m[1]);
}

/** A process's resident memory now, in bytes. */
export function residentBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}
