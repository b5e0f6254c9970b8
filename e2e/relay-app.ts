// A `next start` of its own that forwards to a stand-in bot on a local port (scripts/demo/bot.ts),
// on its own database, for the specs about forwarding: started before the file's tests, stopped after.
import { createPool, type Pool } from "../lib/db/client";
import type { Page } from "@playwright/test";
import { startStandInBot, type StandInBot } from "../scripts/demo/bot";
import { startAppServer, type AppServer } from "../test/support/app-server";
import { createDatabase } from "../test/support/postgres";
import { expect, test, uniqueVideo } from "./fixtures";

export type RelayApp = { app: AppServer; bot: StandInBot; db: Pool };

export function useRelayApp(prefix: string): RelayApp {
  const handle = {} as RelayApp;
  let drop: () => Promise<void> = async () => {};
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const database = await createDatabase(process.env.E2E_PG_ADMIN_URL!, { prefix });
    drop = database.drop;
    handle.db = createPool(database.url, 1);
    // An idle connection the server ends (CI saw "terminating connection due to administrator
    // command" fail a test between its queries) must not be an uncaught error; a query still fails.
    handle.db.on("error", () => {});
    handle.bot = await startStandInBot();
    handle.app = await startAppServer({ DATABASE_URL: database.url, FORWARD_URLS: handle.bot.url });
  });
  test.afterAll(async () => {
    await handle.app?.stop();
    await handle.bot?.stop();
    await handle.db?.end();
    await drop();
  });
  return handle;
}

/** Posts one callback as the provider would; returns the id of the delivery it recorded (callbacks posted one at a time). */
export async function deliverTo(relay: RelayApp): Promise<{ deliveryId: string; serverId: string }> {
  const video = uniqueVideo();
  const res = await fetch(`${relay.app.url}/api/callback`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(video) });
  expect(res.status).toBe(200);
  const { rows } = await relay.db.query<{ id: string }>(`SELECT max(id)::text AS id FROM deliveries`);
  return { deliveryId: rows[0].id, serverId: video.data.serverId as string };
}

/** What an operator does to see a change the page was not told about: reload until it shows. */
export async function reloadUntil(page: Page, check: () => Promise<void>) {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 30_000 });
}
