// A 2-minute chaos run (scripts/chaos/run.ts) against the production build: kills, database
// restarts and a full spool disk while mixed callbacks arrive; every 200 must be stored exactly once.
import { describe, expect, it } from "vitest";
import { runChaos } from "../scripts/chaos/run";

describe("chaos", () => {
  it("two minutes of kills, database restarts and a full disk: every delivery answered 200 stored exactly once", async () => {
    const report = await runChaos({ minutes: 2, rate: 25, say: () => {} });
    console.log(`[chaos] ${JSON.stringify({ ...report, violations: report.violations.length })}`);
    expect(report.violations).toEqual([]);
    expect(report.kills + report.databaseRestarts + report.diskFullEpisodes).toBeGreaterThanOrEqual(4);
    expect(report.deliveriesAnswered200).toBeGreaterThan(300);
  }, 420_000);
});
