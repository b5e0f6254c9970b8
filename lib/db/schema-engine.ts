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

/**
 * Runs `work` with an engine connected to `connectionString`, then frees the engine and closes
 * every connection it opened (a template database cannot be copied while one stays open).
 */
export async function withSchemaEngine<T>(
  connectionString: string,
  datamodels: [string, string][],
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const factory = new WholeScriptPg({ connectionString });
  const engine = await SchemaEngine.new({ datamodels }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
  try {
    return await work(engine);
  } finally {
    engine.free();
    await factory.disposeAll();
  }
}

/**
 * The pg adapter runs a migration script by splitting it on every ";", which breaks function
 * bodies ($$ ... $$). PostgreSQL's simple query protocol takes the whole script at once, which is
 * also what the native engine does, so migrations written for one run unchanged on the other.
 */
class WholeScriptPg extends PrismaPg {
  private readonly opened: { dispose(): Promise<void> }[] = [];

  async disposeAll() {
    await Promise.all(this.opened.splice(0).map((a) => a.dispose().catch(() => {})));
  }

  override async connect() {
    const adapter = await super.connect();
    this.opened.push(adapter);
    const pool = adapter.underlyingDriver() as { query(sql: string): Promise<unknown> };
    const toDriverError = (adapter as unknown as { onError(e: unknown): never }).onError.bind(adapter);
    adapter.executeScript = async (script: string) => {
      await pool.query(script).catch(toDriverError);
    };
    return adapter;
  }
}
