// What the relay may and may not rely on from graphile-worker 0.18.0 (docs/forwarding.md): jobs
// run at their run time on one worker, a job key dedupes, and a named queue does NOT hold its
// later jobs back while a failed job waits for its retry; hence the relay keeps order itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Logger, run, type Runner } from "graphile-worker";
import { waitFor } from "../../test/durability-helpers";
import { useTestDatabase } from "../../test/support/db";
import { startJobRunner } from "./runner";

const db = useTestDatabase();
beforeAll(() => {
  process.env.LOG_LEVEL = "silent";
});

const until = (check: () => boolean) => waitFor("the job", async () => check() || undefined, 15_000, 25);

describe("graphile-worker, as the relay uses it", () => {
  let runner: Runner | null = null;
  afterAll(async () => {
    await runner?.stop();
  });

  it("lets a named queue's later job run while its failed first job waits for the retry", async () => {
    const ran: string[] = [];
    runner = await run({
      pgPool: db.pool,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 500,
      logger: new Logger(() => () => {}),
      taskList: {
        ordered: async (payload) => {
          const { n } = payload as { n: string };
          ran.push(n);
          if (n === "first") throw new Error("refused");
        },
      },
    });
    await runner.addJob("ordered", { n: "first" }, { queueName: "target-1" });
    await runner.addJob("ordered", { n: "second" }, { queueName: "target-1" });
    await until(() => ran.includes("second"));
    // The second ran before the first succeeded: a named queue alone does not keep order.
    expect(ran).toEqual(["first", "second"]);
    await runner.stop();
    runner = null;
  });

  it("runs a job at its run time, and a job key replaces a waiting job instead of adding one", async () => {
    const ran: number[] = [];
    const jobs = await startJobRunner(db.pool, { keyed: async (p) => void ran.push((p as { n: number }).n) }, { concurrency: 1 });
    try {
      const later = new Date(Date.now() + 1500);
      await jobs.add("keyed", { n: 1 }, { jobKey: "k", runAt: later });
      await jobs.add("keyed", { n: 2 }, { jobKey: "k", runAt: later });
      await new Promise((r) => setTimeout(r, 700));
      expect(ran).toEqual([]);
      await until(() => ran.length > 0);
      await new Promise((r) => setTimeout(r, 500));
      expect(ran).toEqual([2]);
    } finally {
      await jobs.stop();
    }
  });
});
