// Without DASHBOARD_PASSWORD the dashboard must stay on loopback: `npm start` refuses a wider
// HOST before it starts anything (no embedded database, no build).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exposureProblem, parseConfig } from "../config";

describe("exposure without a password", () => {
  it("npm start refuses HOST=0.0.0.0 without DASHBOARD_PASSWORD, quickly, naming the setting", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "auth-exposure-"));
    try {
      const started = Date.now();
      const env = { ...process.env, HOST: "0.0.0.0", DATA_DIR: dataDir, DASHBOARD_PASSWORD: "", DATABASE_URL: "", PORT: "0" };
      const run = spawnSync(join(process.cwd(), "node_modules", ".bin", "tsx"), ["scripts/start.ts"], { env, encoding: "utf8", timeout: 25_000 });
      expect(run.status).not.toBe(0);
      expect(run.status).not.toBeNull();
      expect(run.stderr + run.stdout).toMatch(/DASHBOARD_PASSWORD/);
      expect(Date.now() - started).toBeLessThan(15_000);
      // Refused before the embedded database was created.
      expect(existsSync(join(dataDir, "postgres"))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("allows loopback without a password and any host with one", () => {
    const problem = (env: Record<string, string>) => exposureProblem(parseConfig(env));
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"]) expect(problem({ HOST: host })).toBeNull();
    for (const host of ["0.0.0.0", "::", "192.168.1.5", "example.com"]) expect(problem({ HOST: host })).toMatch(/DASHBOARD_PASSWORD/);
    expect(problem({ HOST: "0.0.0.0", DASHBOARD_PASSWORD: "pw" })).toBeNull();
    expect(problem({ HOST: "0.0.0.0", DASHBOARD_PASSWORD: "   " })).toMatch(/DASHBOARD_PASSWORD/);
  });
});
