// What /api/health reports. "degraded": callbacks are still accepted but the database is
// unreachable (they go to the spool), or the spool is still being replayed, or it cannot be
// written, or a delivery waits in a dead-letter file. Quarantined deliveries are counted and
// leave it "ok": they are in the deliveries log, nothing waits behind them. "down": a callback would be answered 503 (neither the database nor the spool can take it).
import type { Db } from "./db/client";
import { errorLine } from "./db/errors";
import { QUARANTINED_UNREPLAYED } from "./deliveries/list";

export type Health = {
  status: "ok" | "degraded" | "down";
  database: "ok" | string;
  /** Deliveries waiting in the spool for the database. */
  spoolDepth: number;
  spool: "ok" | string;
  /** Why the last replay of the spool failed, while it keeps failing. */
  drainError?: string;
  /** Deliveries the spool's drain set aside as quarantined and not yet replayed (stored): the health stays "ok". Absent while the database is unreachable. */
  quarantined?: number;
  /** Deliveries set aside in dead-letter files, the database having refused even their quarantine row: "degraded" until replayed (`npm run quarantine -- replay`). */
  deadLetters?: number;
  /** Robots with no callback for ROBOT_SILENT_AFTER (lib/robots): the dashboard is "degraded". The first 20 by id. */
  silentRobots?: string[];
  /** How many robots are silent. */
  silentRobotCount?: number;
  /** The relay (FORWARD_URLS): "ok", or how far behind a target is (degraded past 5 minutes). */
  forwarding?: "ok" | string;
  /** The media archive (MEDIA_ARCHIVE=on): "ok", or why it is degraded (the store unreachable, a file waiting over 10 minutes). */
  mediaArchive?: "ok" | string;
};

/** A file pending longer than this (since its video arrived) makes the health degraded. */
export const ARCHIVE_LAG_DEGRADED_SECONDS = 600;

/** A relay target whose oldest pending delivery is older than this makes the health degraded. */
export const FORWARD_LAG_DEGRADED_SECONDS = 300;

export type SpoolState = { spoolDepth: number; spool: true | string; lastDrainError?: string | null; deadLetters?: number };

/** Whether the database answers within two seconds, and what the spool holds. */
/** What else makes the dashboard "degraded": silent robots, a relay target left behind. */
export type HealthChecks = {
  /** Some silent robots' ids and how many there are. */
  silentRobots?: () => Promise<{ robotIds: string[]; count: number }>;
  /** Seconds the oldest pending forward has waited, or null; given only while relaying. */
  forwardLag?: () => Promise<number | null>;
  /** Given while archiving: seconds the oldest pending file has waited, and whether the store answers. */
  archive?: { oldestPending: () => Promise<number | null>; storeReachable: () => Promise<true | string> };
};

/** Whether the database answers within two seconds, and what the spool holds. */
export async function checkHealth(db: Db, spool: SpoolState | Error, checks: HealthChecks = {}): Promise<Health> {
  let database: string = "ok";
  try {
    await Promise.race([
      db.$queryRaw`SELECT 1`,
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref()),
    ]);
  } catch (err) {
    database = `unreachable: ${errorLine(err)}`;
  }
  const spoolState = spool instanceof Error ? `unavailable: ${spool.message}` : spool.spool === true ? "ok" : spool.spool;
  const spoolDepth = spool instanceof Error ? 0 : spool.spoolDepth;
  // Database up but no spool: callbacks are stored, without the safety net for the next outage.
  const status = database === "ok" ? (spoolDepth > 0 || spoolState !== "ok" ? "degraded" : "ok") : spoolState === "ok" ? "degraded" : "down";
  const drainError = spool instanceof Error ? null : spool.lastDrainError;
  const silent = database === "ok" && checks.silentRobots ? await checks.silentRobots() : { robotIds: [], count: 0 };
  const lag = checks.forwardLag && database === "ok" ? await checks.forwardLag().catch(() => null) : null;
  const forwarding = lag !== null && lag > FORWARD_LAG_DEGRADED_SECONDS ? `behind: a delivery has waited ${Math.round(lag / 60)} min for a relay target` : "ok";
  const mediaArchive = checks.archive ? await archiveHealth(checks.archive, database === "ok") : "ok";
  const quarantined = database === "ok" ? await countQuarantined(db).catch(() => undefined) : undefined;
  const deadLetters = spool instanceof Error ? 0 : (spool.deadLetters ?? 0);
  return {
    status: status === "ok" && (silent.count > 0 || forwarding !== "ok" || mediaArchive !== "ok" || deadLetters > 0) ? "degraded" : status,
    database,
    spoolDepth,
    spool: spoolState,
    ...(drainError ? { drainError } : {}),
    ...(quarantined !== undefined ? { quarantined } : {}),
    deadLetters,
    ...(silent.count > 0 ? { silentRobots: silent.robotIds, silentRobotCount: silent.count } : {}),
    ...(checks.forwardLag ? { forwarding } : {}),
    ...(checks.archive ? { mediaArchive } : {}),
  };
}

/** Quarantined deliveries with no replay that was stored (lib/deliveries/replay.ts). */
export async function countQuarantined(db: Db): Promise<number> {
  const [{ count }] = await db.$queryRawUnsafe<{ count: number }[]>(`SELECT count(*)::int AS count FROM deliveries WHERE ${QUARANTINED_UNREPLAYED}`);
  return count;
}

async function archiveHealth(archive: NonNullable<HealthChecks["archive"]>, databaseUp: boolean): Promise<string> {
  const reachable = await archive.storeReachable().catch((err: Error) => err.message);
  if (reachable !== true) return `the media store cannot be reached: ${reachable}`;
  const lag = databaseUp ? await archive.oldestPending().catch(() => null) : null;
  if (lag !== null && lag > ARCHIVE_LAG_DEGRADED_SECONDS) return `behind: a file has waited ${Math.round(lag / 60)} min to be archived`;
  return "ok";
}

export type PublicHealth = Pick<Health, "status" | "spoolDepth" | "quarantined" | "deadLetters"> & { database: "ok" | "unreachable"; spool: "ok" | "unavailable" };

/**
 * What anyone may see: status words and the spool's depth. The error texts (which name the
 * database's address, paths on disk) are for a session or the API token.
 */
export function publicHealth(health: Health): PublicHealth {
  return {
    status: health.status,
    database: health.database === "ok" ? "ok" : "unreachable",
    spoolDepth: health.spoolDepth,
    spool: health.spool === "ok" ? "ok" : "unavailable",
    // Counts only, and only when there are some.
    ...(health.quarantined ? { quarantined: health.quarantined } : {}),
    ...(health.deadLetters ? { deadLetters: health.deadLetters } : {}),
  };
}
