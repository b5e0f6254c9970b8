// Runs once when the server starts. In the Node runtime: the connection hook every request passes
// through first, the background work (lib/jobs/background.ts: the receiver and its spool drain,
// the relay, retention, partition upkeep, the robots' silence monitor, a graceful shutdown).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First: the access checks in route handlers and layouts read the connection's address from it.
  // The provider's callback is answered from here, before Next routes it: its route handler,
  // unchanged, at a fraction of the cost (lib/http/node-route.ts). Not under `next dev`, where the
  // route is reloaded on every edit.
  const { installConnectionContext } = await import("./lib/auth/connection");
  if (process.env.NODE_ENV === "production") {
    const { nodeRoute } = await import("./lib/http/node-route");
    const { POST: callback } = await import("./app/api/callback/route");
    installConnectionContext(nodeRoute("POST", "/api/callback", callback));
  } else {
    installConnectionContext();
  }
  // Prisma Client, made now: its query compiler loads while the server starts, not in a request.
  const { db } = await import("./lib/db/client");
  try {
    db();
  } catch {
    // No DATABASE_URL (a bare `next dev`): the first request says so.
  }
  const { startBackgroundJobs } = await import("./lib/jobs/background");
  startBackgroundJobs();
  const { relayStarted } = await import("./lib/forwarding/relay");
  await relayStarted(5000);
}
