// The process's hub, on the app's own database and pool.
import { config } from "../config";
import { pool } from "../db/client";
import { createLiveHub, liveHub } from "./hub";

export function processLiveHub() {
  return liveHub(() => createLiveHub({ connectionString: config().DATABASE_URL!, pool: pool() }));
}
