// npm run db:new-migration -- <name>
// Diffs prisma/schema.prisma as of the last commit that touched prisma/migrations against the
// working copy, and writes the SQL as a new migration, then regenerates Prisma Client. Review
// it, add what Prisma cannot express (triggers, partial indexes), then commit all three.
import "./env";
import { execFileSync } from "node:child_process";
import { createMigration } from "../lib/db/migrate";

const name = process.argv[2];
if (!name) {
  console.error("usage: npm run db:new-migration -- <name>");
  process.exit(2);
}
function schemaAtLastMigration(): string | null {
  try {
    const rev = execFileSync("git", ["log", "-1", "--format=%H", "--", "prisma/migrations"], { encoding: "utf8" }).trim();
    if (!rev) return null;
    return execFileSync("git", ["show", `${rev}:prisma/schema.prisma`], { encoding: "utf8" });
  } catch {
    return null;
  }
}
const from = process.env.MIGRATION_FROM_EMPTY ? null : schemaAtLastMigration();
const dir = await createMigration(name, from, process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
console.log(dir ? `wrote ${dir}/migration.sql` : "schema unchanged: no migration written");
// The committed Prisma Client follows the schema (test/prisma-generated.test.ts checks it).
const { generatePrismaClient } = await import("./prisma-generate.mjs");
generatePrismaClient();
