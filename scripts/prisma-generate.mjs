// Runs `prisma generate` offline. Generation never executes the schema engine, but the
// CLI insists that one exists, and the native binary cannot be downloaded everywhere:
// point it at a stub so generation works on any machine.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { join } from "node:path";

const stub = join(process.cwd(), "node_modules", ".cache", "prisma-engine-stub.sh");
if (!existsSync(stub)) {
  mkdirSync(join(process.cwd(), "node_modules", ".cache"), { recursive: true });
  writeFileSync(stub, "#!/bin/sh\necho 'schema engine not available: use npm run db:migrate' >&2\nexit 1\n");
  chmodSync(stub, 0o755);
}
const result = spawnSync("npx", ["prisma", "generate"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? stub,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
