// Vitest global setup: one PostgreSQL server and one migrated template database per run.
import type { TestProject } from "vitest/node";
import { createDatabase, dropAbandonedDatabases, startTestServer } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startTestServer();
  const abandoned = await dropAbandonedDatabases(server.adminUrl);
  if (abandoned.length > 0) console.log(`dropped ${abandoned.length} database(s) that killed earlier runs left behind`);
  const template = await createDatabase(server.adminUrl, { prefix: "vd_template" });
  project.provide("pgAdminUrl", server.adminUrl);
  project.provide("pgTemplate", template.name);
  return async () => {
    await template.drop();
    await server.stop();
  };
}
