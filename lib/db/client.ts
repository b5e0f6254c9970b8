// One pg pool per process, shared by raw SQL (ingest, live updates, export) and by Prisma
// (everything else), so the app holds a single, bounded set of connections.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client";
import { config } from "../config";

export type Db = pg.Pool;

type Handles = { pool: pg.Pool; prisma: PrismaClient };

// Kept on globalThis so `next dev` reloading modules does not open a new pool every time.
const globalHandles = globalThis as unknown as { __videoDashboardDb?: Handles };

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: "wechat-video-dashboard" });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  return pool;
}

export function createPrisma(pool: pg.Pool): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}

function handles(): Handles {
  if (!globalHandles.__videoDashboardDb) {
    const url = config().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides one");
    const pool = createPool(url);
    globalHandles.__videoDashboardDb = { pool, prisma: createPrisma(pool) };
  }
  return globalHandles.__videoDashboardDb;
}

export const pool = (): pg.Pool => handles().pool;
export const prisma = (): PrismaClient => handles().prisma;
