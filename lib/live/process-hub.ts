// The process's hub, on the app's own database and pool.
import { config } from "../config";
import { db, pool } from "../db/client";
import { withNames } from "../videos/list";
import { createLiveHub, liveHub } from "./hub";

export function processLiveHub() {
  return liveHub(() => createLiveHub({ connectionString: config().DATABASE_URL!, pool: pool(), decorate: (items) => withNames(db(), items) }));
}
