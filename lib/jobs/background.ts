// The server's background work, all of it, and its orderly end; started once per process from
// instrumentation.ts: the receiver (its spool drain replays what an earlier run left), the relay,
// retention, partition upkeep and the robots' silence monitor. Each domain owns its task; this
// file owns when it runs and how it stops.
import { startMonitor } from "../alerts/monitor";
import { config } from "../config";
import { pool } from "../db/client";
import { dropAbandonedConversion, ensureMonthlyPartitions } from "../db/partition";
import { runRelay } from "../forwarding/relay";
import { ingestor, runningIngestor } from "../ingest/ingestor";
import { errorSummary, log } from "../log";
import { scheduleRetention } from "../retention/retention";
import { makePrivate } from "../shared/private-data-dir";

const holder = globalThis as unknown as { __videoDashboardJobs?: boolean };

/** Starts the process's background work; a second call does nothing. */
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
  // The robots' silence monitor: rounds every 5 s, so a change of state is noticed, and its alert
  // sent, well within 15 s.
  const stopMonitor = startMonitor(pool(), {
    silentAfterMs: cfg.ROBOT_SILENT_AFTER,
    webhookUrl: cfg.ALERT_WEBHOOK_URL,
    format: cfg.ALERT_WEBHOOK_FORMAT,
    publicUrl: cfg.PUBLIC_URL ?? `http://${cfg.HOST}:${cfg.PORT}`,
  });
  // Next closes the HTTP server on SIGTERM/SIGINT (requests in flight, and those still arriving on
  // open connections, are answered) and then exits; meanwhile the background work stops. The
  // receiver keeps storing or spooling until the exit: every delivery answered 200 is committed
  // or fsync'd, so an exit at any point loses none, and the next process adopts the spool.
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down: stopping the spool drain, the relay, retention and the monitor");
    clearInterval(upkeepTimer);
    clearInterval(abandonedTimer);
    // The shared pool stays open: pages still being answered use it, and the exit closes it.
    void Promise.all([stopRetention(), stopRelay(), stopMonitor(), runningIngestor()?.then((i) => i.stopDrain(), () => {})])
      .then(() => log.info("background work stopped"))
      .catch((err) => log.error({ err: errorSummary(err) }, "shutdown"));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
