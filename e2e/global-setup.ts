// One database and one production server for the browser tests; both go away afterwards.
import { createDatabase, startTestServer } from "../test/support/postgres";
import { startAppServer } from "../test/support/app-server";

export default async function globalSetup() {
  const pgServer = await startTestServer();
  const db = await createDatabase(pgServer.adminUrl, { prefix: "vd_e2e" });
  const app = await startAppServer({ DATABASE_URL: db.url });
  process.env.E2E_BASE_URL = app.url;
  process.env.E2E_DATABASE_URL = db.url;
  process.env.E2E_PG_ADMIN_URL = pgServer.adminUrl;
  return async () => {
    await app.stop();
    await db.drop();
    await pgServer.stop();
  };
}
