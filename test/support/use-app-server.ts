// Per-suite server: `const app = useAppServer(() => ({ DATABASE_URL: db.url }))` in a test file
// (or describe) starts a real `next start` before its tests and stops it afterwards, the way
// useTestDatabase() gives it a database. `env` is read when the suite starts, once the database
// it names exists. Vitest-only: Playwright's global setup uses startAppServer directly.
import { afterAll, beforeAll } from "vitest";
import { startAppServer, type AppServer } from "./app-server";

export function useAppServer(env: () => Record<string, string>, startTimeoutMs = 120_000): AppServer {
  const handle = {} as AppServer;
  let started: AppServer | undefined;
  beforeAll(async () => {
    started = await startAppServer(env());
    Object.assign(handle, started);
  }, startTimeoutMs);
  afterAll(async () => {
    await started?.stop();
  });
  return handle;
}
