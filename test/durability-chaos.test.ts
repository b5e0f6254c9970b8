// A 2-minute chaos run (scripts/chaos/run.ts) against the production build: kills, database
// restarts and a full spool disk while mixed callbacks arrive; every 200 must be stored exactly once.
import { describe, expect, it } from "vitest";
import { runChaos } from "../scripts/chaos/run";

describe("chaos", () => {
  it("two minutes of kills, database restarts and a full disk: every delivery answered 200 stored exactly once", async () => {
    // What happened, in order, is printed only when the run fails: a failure names its episodes.
    const story: string[] = [];
    const report = await runChaos({ minutes: 2, rate: 25, say: (line) => story.push(line) }).catch((err: Error) => {
      throw new Error(`${err.message}\n${story.join("\n")}`);
    });
    console.log(`[chaos] ${JSON.stringify({ ...report, violations: report.violations.length })}`);
    expect(report.violations).toEqual([]);
    expect(report.kills + report.databaseRestarts + report.diskFullEpisodes).toBeGreaterThanOrEqual(4);
    expect(report.deliveriesAnswered200).toBeGreaterThan(300);
  }, 420_000);
});
