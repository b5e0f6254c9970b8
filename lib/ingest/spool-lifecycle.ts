// The server's background work and its orderly end, started from instrumentation.ts.
import { chmod, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { config } from "../config";
import { pool } from "../db/client";
import { dropAbandonedConversion, ensureMonthlyPartitions } from "../db/partition";
import { runRelay } from "../forwarding/relay";
import { errorSummary, log } from "../log";
import { scheduleRetention } from "../retention/retention";
import { ingestor, runningIngestor } from "./ingestor";

const holder = globalThis as unknown as { __videoDashboardJobs?: boolean };

export function startBackgroundJobs(): void {
  if (holder.__videoDashboardJobs) return;
  holder.__videoDashboardJobs = true;
  const cfg = config();
  // Raw bodies (aes_key, auth_key, signed CDN links), decrypted videos and the session secret are
  // for this user only: whatever the process creates from now on is 0600/0700, and what an
  // earlier version left readable is tightened once.
  process.umask(0o077);
  void makePrivate(cfg.DATA_DIR).catch((err) => log.error({ err: errorSummary(err) }, "could not make DATA_DIR private"));
  if (!cfg.DATABASE_URL) return;
  ingestor().catch((err) => log.error({ err: errorSummary(err) }, "the receiver could not start: callbacks will be answered 503"));
  const stopRelay = cfg.FORWARD_URLS.length === 0 ? async () => {} : runRelay({
    databaseUrl: cfg.DATABASE_URL, urls: cfg.FORWARD_URLS, events: cfg.FORWARD_EVENTS, secret: cfg.FORWARD_SECRET,
    timeoutMs: cfg.FORWARD_TIMEOUT_MS, maxAgeMs: cfg.FORWARD_MAX_AGE,
  });
  let stopRetention = async () => {};
  if (cfg.RETENTION_DAYS) {
    const days = cfg.RETENTION_DAYS;
    stopRetention = scheduleRetention(pool(), {
      days,
      dataDir: cfg.DATA_DIR,
      onResult: (r) => log.info({ days, ...r }, "retention: deleted what is older than the cutoff"),
      onError: (err) => log.error({ err: errorSummary(err) }, "retention run failed; next run in an hour"),
    });
  }
  // Once video_events is partitioned (npm run db:partition), the months ahead get their
  // partitions before they begin; any instance may do it, the first one does.
  const upkeep = () =>
    ensureMonthlyPartitions(pool()).then(
      (created) => created.length > 0 && log.info({ created }, "partitions created for the months ahead"),
      (err) => log.error({ err: errorSummary(err) }, "partition upkeep failed; next try in 6 hours"),
    );
  void upkeep();
  const upkeepTimer = setInterval(upkeep, 6 * 3_600_000);
  upkeepTimer.unref();
  // A conversion killed outright leaves its bound check behind, which would hold back every
  // video dated past it (spooled until then): the first instance to notice undoes it.
  const abandonedTimer = setInterval(
    () =>
      void dropAbandonedConversion(pool()).then(
        (dropped) => dropped && log.warn("an interrupted partition conversion left its bound check: dropped"),
        (err) => log.error({ err: errorSummary(err) }, "could not check for an interrupted partition conversion"),
      ),
    60_000,
  );
  abandonedTimer.unref();
  // Next closes the HTTP server on SIGTERM/SIGINT (requests in flight, and those still arriving on
  // open connections, are answered) and then exits; meanwhile the drain and retention stop. The
  // receiver keeps storing or spooling until the exit: every delivery answered 200 is committed
  // or fsync'd, so an exit at any point loses none, and the next process adopts the spool.
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down: stopping the spool drain and retention");
    clearInterval(upkeepTimer);
    clearInterval(abandonedTimer);
    // The shared pool stays open: pages still being answered use it, and the exit closes it.
    void Promise.all([stopRetention(), stopRelay(), runningIngestor()?.then((i) => i.stopDrain(), () => {})])
      .then(() => log.info("spool drain and retention stopped; relay stopped"))
      .catch((err) => log.error({ err: errorSummary(err) }, "shutdown"));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

/**
 * DATA_DIR and every directory under it become 0700, every file 0600. The embedded PostgreSQL's
 * cluster (DATA_DIR/postgres) is PostgreSQL's to manage; when it runs as another user (as root,
 * the server runs as "postgres"), DATA_DIR stays 0711 so that user can reach its directory:
 * others may pass through, never list or read.
 */
export async function makePrivate(dataDir: string): Promise<void> {
  const cluster = join(dataDir, "postgres");
  const clusterOwner = await lstat(cluster).then((st) => st.uid, () => null);
  const foreignCluster = clusterOwner !== null && clusterOwner !== process.getuid?.();
  await chmod(dataDir, foreignCluster ? 0o711 : 0o700);
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (path === cluster) continue;
      if (entry.isDirectory()) {
        await chmod(path, 0o700).catch(() => {});
        await walk(path);
      } else if (entry.isFile()) await chmod(path, 0o600).catch(() => {});
    }
  };
  await walk(dataDir);
}
