// Read by Prisma's CLI only. The app applies migrations itself (`npm start`, `npm run db:migrate`:
// the WebAssembly schema engine, lib/db/migrate.ts) and records them in `_prisma_migrations`, so
// the CLI's `migrate status|deploy` read the same history wherever its native engine can be
// downloaded (it cannot be here). DATABASE_URL comes from the environment or `.env`, as for Next.
import nextEnv from "@next/env";
import { defineConfig } from "prisma/config";

nextEnv.loadEnvConfig(process.cwd());

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
