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
    const ran: { name: string; at: number }[] = [];
    const names = () => ran.map((r) => r.name);
    const record = (name: string) => void ran.push({ name, at: Date.now() });
    const jobs = await startJobRunner(
      db.pool,
      { keyed: async (p) => record(`keyed ${(p as { n: number }).n}`), control: async (p) => record(`control ${(p as { n: number }).n}`) },
      { concurrency: 1 },
    );
    try {
      const later = new Date(Date.now() + 1500);
      await jobs.add("keyed", { n: 1 }, { jobKey: "k", runAt: later });
      await jobs.add("keyed", { n: 2 }, { jobKey: "k", runAt: later });
      // Controls instead of sleeps: a job queued after them without a run time runs first (the
      // runner is working), and the keyed job runs no earlier than its run time, once.
      await jobs.add("control", { n: 1 }, {});
      await until(() => names().includes("control 1"));
      await until(() => names().includes("keyed 2"));
      expect(ran.find((r) => r.name === "keyed 2")!.at).toBeGreaterThanOrEqual(later.getTime());
      // One job queued after the keyed one ran: once it has run, a second copy (due since the
      // same run time, one worker, oldest due first) would have run before it.
      await jobs.add("control", { n: 2 }, {});
      await until(() => names().includes("control 2"));
      expect(names()).toEqual(["control 1", "keyed 2", "control 2"]);
    } finally {
      await jobs.stop();
    }
  });
});
