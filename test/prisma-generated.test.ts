// The committed Prisma Client (lib/db/generated/prisma) is what `npm run db:generate` writes from
// today's prisma/schema.prisma: regenerated into a temporary directory, every file must match,
// and no file may be missing or extra. A schema edited without regenerating fails here.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, expect, test } from "vitest";
import { generatePrismaClient } from "../scripts/prisma-generate.mjs";

const root = resolve(import.meta.dirname, "..");
const GENERATED = "lib/db/generated/prisma";
const dir = mkdtempSync(join(tmpdir(), "prisma-generated-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function files(base: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(relative(base, path), readFileSync(path, "utf8"));
    }
  };
  walk(base);
  return out;
}

test("lib/db/generated/prisma is what prisma/schema.prisma generates today (else: npm run db:generate)", () => {
  // Same relative layout, so the generator's output path (and the schema text it inlines) is the same.
  mkdirSync(join(dir, "prisma"));
  cpSync(join(root, "prisma", "schema.prisma"), join(dir, "prisma", "schema.prisma"));
  generatePrismaClient({ schema: join(dir, "prisma", "schema.prisma"), cwd: root, quiet: true });
  const fresh = files(join(dir, GENERATED));
  const committed = files(join(root, GENERATED));
  expect(fresh.size).toBeGreaterThan(0);
  expect([...committed.keys()].sort(), "files in lib/db/generated/prisma (run `npm run db:generate`)").toEqual([...fresh.keys()].sort());
  const stale = [...fresh].filter(([name, text]) => committed.get(name) !== text).map(([name]) => name);
  expect(stale, "stale against prisma/schema.prisma: run `npm run db:generate`").toEqual([]);
}, 120_000);
