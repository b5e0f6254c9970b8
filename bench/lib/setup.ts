// What every benchmark needs: a production build, a PostgreSQL, fresh databases, app servers,
// and the options of the run. Everything started here is stopped by `cleanup()`.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startAppServer, type AppServer } from "../../test/support/app-server";
import { createDatabase, dropAbandonedDatabases, startTestServer, type TestServer } from "../../test/support/postgres";

export type BenchOptions = { quick: boolean; build: boolean; profile: boolean; only?: string; videos?: number; databaseUrl?: string };

export function benchOptions(argv = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      build: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      only: { type: "string" },
      videos: { type: "string" },
      "database-url": { type: "string" },
    },
    allowPositionals: true,
  });
  const videos = values.videos === undefined ? undefined : Number(values.videos);
  if (videos !== undefined && !(Number.isInteger(videos) && videos > 0)) throw new Error("--videos must be a positive whole number");
  return { quick: values.quick ?? false, build: values.build ?? false, profile: values.profile ?? false, only: values.only, videos, databaseUrl: values["database-url"] };
}

const cleanups: (() => Promise<void>)[] = [];

export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch((err) => console.error(`cleanup: ${err}`));
}

let pgServer: Promise<TestServer> | undefined;

/** The admin URL of the machine's PostgreSQL (or an embedded one, as for the tests). */
export async function adminUrl(): Promise<string> {
  if (!pgServer) {
    pgServer = startTestServer();
    const server = await pgServer;
    await dropAbandonedDatabases(server.adminUrl);
    cleanups.unshift(async () => {
      pgServer = undefined;
      await server.stop();
    });
  }
  return (await pgServer).adminUrl;
}

/** A new migrated database, dropped at cleanup. */
export async function freshDatabase(prefix: string): Promise<string> {
  const db = await createDatabase(await adminUrl(), { prefix });
  cleanups.push(db.drop);
  return db.url;
}

/** Builds the app when there is no production build yet (or when asked to with --build). */
export function ensureBuild(force: boolean): void {
  if (!force && existsSync(join(process.cwd(), ".next", "BUILD_ID"))) return;
  console.log("building the app (next build)...");
  const result = spawnSync(join(process.cwd(), "node_modules", ".bin", "next"), ["build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed");
}

/** The production server with the benchmark routes on, stopped at cleanup. */
export async function appServer(databaseUrl: string, env: Record<string, string> = {}): Promise<AppServer> {
  const server = await startAppServer({ DATABASE_URL: databaseUrl, BENCH_ROUTES: "1", LOG_LEVEL: "warn", ...env });
  cleanups.push(async () => void (await server.stop()));
  return server;
}

const example = JSON.parse(readFileSync(join(process.cwd(), "test", "fixtures", "provider-example-20004.json"), "utf8"));

/**
 * A 20004 callback body maker: the provider's example with its own identity per sequence number,
 * senders and conversations drawn from a few thousand, both directions. Built from a template
 * by string replacement, so the load generator spends its time sending, not serialising.
 */
export function callbackBodies(runTag: string): (seq: number) => string {
  const template = JSON.stringify({
    ...example,
    time: 0,
    data: {
      ...example.data,
      serverId: "@SERVER@",
      localId: "@LOCAL@",
      fromWxId: "@FROM@",
      fromNickName: "@NICK@",
      conversationId: "@CONV@",
      messageSource: 0,
      sendTime: 0,
    },
  })
    .replace('"time":0', '"time":@TIME@')
    .replace('"sendTime":0', '"sendTime":@TIME@')
    .replace('"messageSource":0', '"messageSource":@SOURCE@');
  return (seq) => {
    const sender = seq % 3000;
    const now = String(Date.now());
    return template
      .replace("@SERVER@", `${runTag}-${seq}`)
      .replace("@LOCAL@", `${seq}`)
      .replace("@FROM@", `wxid_bench${sender}`)
      .replace("@NICK@", `Bench sender ${sender}`)
      .replace("@CONV@", seq % 10 < 7 ? `R:${19000000000 + (seq % 2000)}@chatroom` : `S:wxid_benchrobot_wxid_bench${sender}`)
      .replace("@SOURCE@", seq % 7 === 0 ? "1" : "0")
      .replaceAll("@TIME@", now);
  };
}
