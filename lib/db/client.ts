// One pg pool per process, shared by every query in the app (ingest, pages, live updates,
// export), so the app holds a single, bounded set of connections.
import pg from "pg";
import { config } from "../config";

export type Db = pg.Pool;

// Kept on globalThis so `next dev` reloading modules does not open a new pool every time.
const globalHandles = globalThis as unknown as { __videoDashboardPool?: pg.Pool };

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: "wechat-video-dashboard" });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  return pool;
}

export function pool(): pg.Pool {
  if (!globalHandles.__videoDashboardPool) {
    const url = config().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides one");
    globalHandles.__videoDashboardPool = createPool(url);
  }
  return globalHandles.__videoDashboardPool;
}
