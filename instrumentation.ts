// Runs once when the server starts. In the Node runtime: start the receiver (its spool drain
// replays what an earlier run left), the retention schedule, the robots' silence monitor, and a graceful shutdown.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First: the access checks in route handlers and layouts read the connection's address from it.
  (await import("./lib/auth/connection")).installConnectionContext();
  const { startBackgroundJobs } = await import("./lib/ingest/spool-lifecycle");
  startBackgroundJobs();
  const { startRobotMonitor } = await import("./lib/alerts/start");
  startRobotMonitor();
  const { relayStarted } = await import("./lib/forwarding/relay");
  await relayStarted(5000);
}
