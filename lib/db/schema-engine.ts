// Prisma's schema engine as WebAssembly, driven through the pg driver adapter. The native
// engine that `prisma migrate` downloads is not reachable everywhere this app runs; this one
// ships inside an npm package and writes the same `_prisma_migrations` table, so the real CLI
// stays compatible wherever it is available.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

type EngineModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
export type SchemaEngine = Awaited<ReturnType<EngineModule["SchemaEngine"]["new"]>>;

let engineModule: Promise<EngineModule> | undefined;

function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const pkgDir = dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    // The package's main module imports the .wasm file directly, which Node refuses; load
    // the glue module and instantiate the bytes ourselves instead.
    const glue: EngineModule = await import(join(pkgDir, "schema_engine_bg.js"));
    const bytes = await readFile(join(pkgDir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue as never });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue;
  })();
  return engineModule;
}

export async function openSchemaEngine(
  connectionString: string,
  datamodels: [string, string][],
  onLog: (line: string) => void = () => {},
): Promise<SchemaEngine> {
  const { SchemaEngine } = await loadEngineModule();
  const adapter = bindMigrationAwareSqlAdapterFactory(new WholeScriptPg({ connectionString }));
  return SchemaEngine.new({ datamodels }, (line: string) => onLog(line), adapter);
}

/**
 * The pg adapter runs a migration script by splitting it on every ";", which breaks function
 * bodies ($$ ... $$). PostgreSQL's simple query protocol takes the whole script at once, which is
 * also what the native engine does, so migrations written for one run unchanged on the other.
 */
class WholeScriptPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    const pool = adapter.underlyingDriver() as { query(sql: string): Promise<unknown> };
    const toDriverError = (adapter as unknown as { onError(e: unknown): never }).onError.bind(adapter);
    adapter.executeScript = async (script: string) => {
      await pool.query(script).catch(toDriverError);
    };
    return adapter;
  }
}
