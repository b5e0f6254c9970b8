import { defineConfig } from "prisma/config";

// Only `prisma generate` reads this. Migrations go through `npm run db:migrate`.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
