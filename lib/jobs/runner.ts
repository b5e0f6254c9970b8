// The process's job runner: graphile-worker on the app's own PostgreSQL. Domains hand it their
// tasks; it runs each job on exactly one instance, at its run time, and retries a job whose task
// throws. Deliberately without `localQueue` (graphile/worker#621: with it, one named queue's
// jobs run concurrently) and without relying on named queues for order (see docs/forwarding.md).
import { Logger, run, type Runner, type TaskList } from "graphile-worker";
import type { Pool } from "pg";
import { log } from "../log";

export type JobRunner = {
  /** Queues `task` to run at `runAt` (default: now). A job with the same key is replaced, or, while it runs, followed by this one. */
  add: (task: string, payload: Record<string, unknown>, options: { jobKey?: string; runAt?: Date; maxAttempts?: number }) => Promise<void>;
  stop: () => Promise<void>;
};

const workerLogger = new Logger((scope) => (level, message, meta) => {
  const line = { scope: { label: scope.label, taskIdentifier: scope.taskIdentifier, jobId: scope.jobId }, ...meta };
  if (level === "error") log.error(line, `jobs: ${message}`);
  else if (level === "warning") log.warn(line, `jobs: ${message}`);
  else log.debug(line, `jobs: ${message}`);
});

export async function startJobRunner(pgPool: Pool, tasks: TaskList, options: { concurrency?: number } = {}): Promise<JobRunner> {
  const runner: Runner = await run({
    pgPool,
    taskList: tasks,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: workerLogger,
  });
  // Settles when the runner stops; a rejection must not become an unhandled one that ends the server.
  runner.promise.catch((err: Error) => log.error({ err: err.message.split("\n")[0] }, "jobs: the runner stopped on an error"));
  return {
    add: async (task, payload, { jobKey, runAt, maxAttempts }) => {
      await runner.addJob(task, payload, { jobKey, runAt, maxAttempts, jobKeyMode: "replace" });
    },
    stop: () => runner.stop(),
  };
}
