// Where the server's time goes: runs the production server under V8's sampling profiler
// (`node --cpu-prof`), and sums self time per function and per package from the profile.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../lib/db/embedded";
import { nextStartArgs, serverEnv } from "../../lib/shared/server-process";

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number };

export type ProfiledServer = { url: string; stop: () => Promise<CpuProfile> };

export async function startProfiledServer(env: Record<string, string>): Promise<ProfiledServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bench-cpu-prof-"));
  const dataDir = mkdtempSync(join(tmpdir(), "bench-data-"));
  const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), ...nextStartArgs("127.0.0.1", port)], {
    env: { ...serverEnv(process.env), LOG_LEVEL: "warn", DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("the profiled server exited before it was ready");
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("the profiled server did not become healthy within 60 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      // Next exits on SIGTERM through process.exit, which is when V8 writes the profile.
      child.kill("SIGTERM");
      await exited;
      try {
        // Worker threads write profiles too: the largest one is the server's main thread.
        const files = readdirSync(dir).map((f) => join(dir, f));
        const profiles = files.map((f) => JSON.parse(readFileSync(f, "utf8")) as CpuProfile);
        return profiles.sort((a, b) => b.samples.length - a.samples.length)[0];
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

function packageOf(url: string): string {
  if (!url) return "(native / V8)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) return "node core";
  if (url.includes("/.next/")) return "app (bundled)";
  return url.replace(process.cwd(), ".");
}

/** Self time per function and per package, highest first, as printable lines. */
export function summariseProfile(profile: CpuProfile, top = 15): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length || 1;
  const perFunction = new Map<string, number>();
  const perPackage = new Map<string, number>();
  for (const [id, n] of hits) {
    const frame = byId.get(id)!.callFrame;
    const pkg = packageOf(frame.url);
    const fn = `${frame.functionName || "(anonymous)"}  ${pkg}${frame.url && !frame.url.includes("node_modules") ? `:${frame.lineNumber + 1}` : ""}`;
    perFunction.set(fn, (perFunction.get(fn) ?? 0) + n);
    perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + n);
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `self time by package (${total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s):`,
    ...sorted(perPackage).map(([k, n]) => `  ${pct(n)}  ${k}`),
    `self time by function:`,
    ...sorted(perFunction).map(([k, n]) => `  ${pct(n)}  ${k}`),
  ];
}
