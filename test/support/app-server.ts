// Runs the production build (`next build` first) as a real server on a free port, for the
// browser tests and anything else that must go through HTTP. Stops its whole process group.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../lib/db/embedded";
import { nextStartArgs, serverEnv } from "../../lib/shared/server-process";

/** How the app ended: `killed` when it had not exited `graceMs` after SIGTERM and was SIGKILLed. */
export type AppExit = { code: number | null; signal: NodeJS.Signals | null; killed: boolean };

/**
 * `stop()` sends SIGTERM (or `signal`) to the app's process group and resolves once the process has
 * exited and its stdout and stderr are closed, so `output()` then holds every line it wrote. A group
 * still running `graceMs` (5 s unless told) after the signal is SIGKILLed; a test of the graceful
 * shutdown gives a generous `graceMs` and checks `killed`.
 */
export type StopOptions = { graceMs?: number; signal?: NodeJS.Signals };
export type AppServer = {
  url: string;
  port: number;
  dataDir: string;
  stop: (options?: StopOptions) => Promise<AppExit>;
  output: () => string;
  /** Stops reading the app's stdout and stderr, as a stalled log collector would: once the pipes are full, its writes to them wait or fail. `stop()` reads again. */
  holdOutput: () => void;
};

// Process groups of the servers this process started and has not stopped. Each server runs in
// a group of its own (detached, so that a stop reaches next-server's children too), which also
// means it outlives this process: a spec whose afterAll never ran (a timeout) left one serving an
// hour later. Whatever is still here when the test process exits is killed.
const running = new Set<number>();
process.once("exit", () => {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {}
  }
});

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
  const host = options.host ?? "127.0.0.1";
  const args = options.dev ? ["dev", "-H", host, "-p", String(port)] : nextStartArgs(host, port);
  const child: ChildProcess = spawn(join(process.cwd(), "node_modules", ".bin", "next"), args, {
    // NODE_ENV as a user's shell has it, not vitest's "test": with "test", `next dev` rewrites tsconfig.json.
    env: {
      // As `npm start` runs it (lib/shared/server-process.ts).
      ...serverEnv(process.env),
      LOG_LEVEL: "warn",
      ...(options.dev ? { NODE_ENV: "development" } : {}),
      ...env,
      DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (child.pid) running.add(child.pid);
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  // "close", not "exit": the stdio pipes may still hold the last lines when the process exits.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const holdOutput = () => {
    child.stdout?.pause();
    child.stderr?.pause();
  };
  const stop = async (options: StopOptions = {}): Promise<AppExit> => {
    const exit = await stopProcess(options.signal ?? "SIGTERM", options.graceMs ?? 5000);
    running.delete(child.pid!);
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    return exit;
  };
  const stopProcess = async (first: NodeJS.Signals, graceMs: number): Promise<AppExit> => {
    let killed = false;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
        return true;
      } catch {
        return false;
      }
    };
    if (child.exitCode === null && child.signalCode === null) signalGroup(first);
    const timer = setTimeout(() => (killed = signalGroup("SIGKILL")), graceMs);
    child.stdout?.resume();
    child.stderr?.resume();
    const end = await closed;
    clearTimeout(timer);
    return { ...end, killed };
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
  return { url, port, dataDir, stop, output: () => output, holdOutput };
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
