// npm run db:generate: writes Prisma Client (lib/db/generated/prisma) from prisma/schema.prisma.
// The generated files are committed, so no install, build or start ever runs the Prisma CLI (a
// devDependency); test/prisma-generated.test.ts regenerates into a temporary directory and fails
// when the committed files differ. Run this after every change to prisma/schema.prisma (comments
// included: the schema's text is part of the generated client).
//
// The CLI wants its native schema engine on disk, and downloads it when missing, which cannot
// happen everywhere this project is built; generating never runs it. So, unless the caller names an
// engine already, the CLI is pointed at a stub that exits 1: the same files, here and anywhere.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Runs `prisma generate --schema <schema>`; the output path is the schema's generator `output`, relative to the schema. */
export function generatePrismaClient({ schema = "prisma/schema.prisma", cwd = process.cwd(), quiet = false } = {}) {
  const cli = createRequire(join(cwd, "package.json")).resolve("prisma/build/index.js");
  const env = { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  let stubDir;
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    stubDir = mkdtempSync(join(tmpdir(), "prisma-engine-stub-"));
    const windows = process.platform === "win32";
    const stub = join(stubDir, windows ? "schema-engine.cmd" : "schema-engine");
    writeFileSync(stub, windows ? "@exit /b 1\r\n" : "#!/bin/sh\nexit 1\n");
    chmodSync(stub, 0o755);
    env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
  }
  try {
    const result = spawnSync(process.execPath, [cli, "generate", "--schema", schema], { cwd, env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`prisma generate failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    if (!quiet) process.stdout.write(result.stdout);
  } finally {
    if (stubDir) rmSync(stubDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) generatePrismaClient();
