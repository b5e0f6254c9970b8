// What /api/health reports. "degraded": callbacks are still accepted but the database is
// unreachable (they go to the spool), or the spool is still being replayed, or it cannot be
// written. "down": a callback would be answered 503 (neither the database nor the spool can take it).
import type { Pool } from "pg";

export type Health = {
  status: "ok" | "degraded" | "down";
  database: "ok" | string;
  /** Deliveries waiting in the spool for the database. */
  spoolDepth: number;
  spool: "ok" | string;
  /** Why the last replay of the spool failed, while it keeps failing. */
  drainError?: string;
  /** Robots with no callback for ROBOT_SILENT_AFTER (lib/robots): the dashboard is "degraded". */
  silentRobots?: string[];
  /** The relay (FORWARD_URLS): "ok", or how far behind a target is (degraded past 5 minutes). */
  forwarding?: "ok" | string;
};

/** A relay target whose oldest pending delivery is older than this makes the health degraded. */
export const FORWARD_LAG_DEGRADED_SECONDS = 300;

export type SpoolState = { spoolDepth: number; spool: true | string; lastDrainError?: string | null };

/** Whether the database answers within two seconds, and what the spool holds. */
/** What else makes the dashboard "degraded": silent robots, a relay target left behind. */
export type HealthChecks = {
  silentRobots?: () => Promise<string[]>;
  /** Seconds the oldest pending forward has waited, or null; given only while relaying. */
  forwardLag?: () => Promise<number | null>;
};

/** Whether the database answers within two seconds, and what the spool holds. */
export async function checkHealth(db: Pool, spool: SpoolState | Error, checks: HealthChecks = {}): Promise<Health> {
  let database: string = "ok";
  try {
    await Promise.race([
      db.query("SELECT 1"),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref()),
    ]);
  } catch (err) {
    database = `unreachable: ${(err as Error).message.split("\n")[0]}`;
  }
  const spoolState = spool instanceof Error ? `unavailable: ${spool.message}` : spool.spool === true ? "ok" : spool.spool;
  const spoolDepth = spool instanceof Error ? 0 : spool.spoolDepth;
  // Database up but no spool: callbacks are stored, without the safety net for the next outage.
  const status = database === "ok" ? (spoolDepth > 0 || spoolState !== "ok" ? "degraded" : "ok") : spoolState === "ok" ? "degraded" : "down";
  const drainError = spool instanceof Error ? null : spool.lastDrainError;
  const silent = database === "ok" && checks.silentRobots ? await checks.silentRobots() : [];
  const lag = checks.forwardLag && database === "ok" ? await checks.forwardLag().catch(() => null) : null;
  const forwarding = lag !== null && lag > FORWARD_LAG_DEGRADED_SECONDS ? `behind: a delivery has waited ${Math.round(lag / 60)} min for a relay target` : "ok";
  return {
    status: status === "ok" && (silent.length > 0 || forwarding !== "ok") ? "degraded" : status,
    database,
    spoolDepth,
    spool: spoolState,
    ...(drainError ? { drainError } : {}),
    ...(silent.length > 0 ? { silentRobots: silent } : {}),
    ...(checks.forwardLag ? { forwarding } : {}),
  };
}

export type PublicHealth = Pick<Health, "status" | "spoolDepth"> & { database: "ok" | "unreachable"; spool: "ok" | "unavailable" };

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
  };
}
