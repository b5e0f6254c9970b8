// The server's background work, all of it, and its orderly end; started once per process from
// instrumentation.ts: the receiver (its spool drain replays what an earlier run left), the relay,
// retention, partition upkeep and the robots' silence monitor. Each domain owns its task; this
// file owns when it runs and how it stops.
import { startMonitor } from "../alerts/monitor";
import { closeAllConnections, closeServers } from "../auth/connection";
import { config } from "../config";
import { db, pool } from "../db/client";
import { dropAbandonedConversion, ensureMonthlyPartitions } from "../db/partition";
import { runRelay } from "../forwarding/relay";
import { ingestor, runningIngestor } from "../ingest/ingestor";
import { errorSummary, log } from "../log";
import { startArchiveWorker } from "../media/archive-jobs";
import { mediaOptions } from "../media/cache";
import { mediaStore } from "../media/stores";
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
  shutDownOnSignal(cfg.SHUTDOWN_GRACE);
  if (!cfg.DATABASE_URL) return;
  ingestor().catch((err) => log.error({ err: errorSummary(err) }, "the receiver could not start: callbacks will be answered 503"));
  const stopRelay = cfg.FORWARD_URLS.length === 0 ? async () => {} : runRelay({
    databaseUrl: cfg.DATABASE_URL, urls: cfg.FORWARD_URLS.map((t) => t.url), events: cfg.FORWARD_EVENTS, secret: cfg.FORWARD_SECRET,
    timeoutMs: cfg.FORWARD_TIMEOUT_MS, maxAgeMs: cfg.FORWARD_MAX_AGE,
  });
  // Archiving (MEDIA_ARCHIVE): any instance runs any archive job; each also does the upkeep.
  const archiveWorker =
    cfg.MEDIA_ARCHIVE === "on"
      ? startArchiveWorker({
          databaseUrl: cfg.DATABASE_URL,
          concurrency: cfg.MEDIA_ARCHIVE_CONCURRENCY,
          maxAgeMs: cfg.MEDIA_ARCHIVE_MAX_AGE,
          ...mediaOptions(cfg),
        }).catch((err) => {
          log.error({ err: errorSummary(err) }, "the media archive could not start: videos are fetched when viewed");
          return null;
        })
      : Promise.resolve(null);
  const stopArchive = () => archiveWorker.then((w) => w?.stop());
  let stopRetention = async () => {};
  if (cfg.RETENTION_DAYS) {
    const days = cfg.RETENTION_DAYS;
    stopRetention = scheduleRetention(db(), {
      days,
      store: mediaStore(),
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
  // The robots' silence monitor: rounds every 5 s, so a change of state is noticed within 5 s, and
  // its alert sent in the first round after ALERT_GROUP_WAIT (10 s by default: within 20 s in all).
  const stopMonitor = startMonitor(db(), {
    silentAfterMs: cfg.ROBOT_SILENT_AFTER,
    webhookUrl: cfg.ALERT_WEBHOOK_URL,
    format: cfg.ALERT_WEBHOOK_FORMAT,
    groupWaitMs: cfg.ALERT_GROUP_WAIT,
    publicUrl: cfg.PUBLIC_URL ?? `http://${cfg.HOST}:${cfg.PORT}`,
  });
  // On SIGTERM/SIGINT the background work stops while the HTTP server closes (shutDownOnSignal).
  // The receiver keeps storing or spooling until the exit: every delivery answered 200 is committed
  // or fsync'd, so an exit at any point loses none, and the next process adopts the spool.
  stopBackground = () => {
    log.info("shutting down: stopping the spool drain, the relay, the media archive, retention and the monitor");
    clearInterval(upkeepTimer);
    clearInterval(abandonedTimer);
    // The shared pool stays open: pages still being answered use it, and the exit closes it.
    return Promise.all([stopRetention(), stopRelay(), stopArchive(), stopMonitor(), runningIngestor()?.then((i) => i.stopDrain(), () => {})])
      .then(() => log.info("background work stopped"))
      .catch((err) => log.error({ err: errorSummary(err) }, "shutdown"));
  };
}

/** Set by startBackgroundJobs once there is background work to stop. */
let stopBackground: () => Promise<void> = async () => {};

/** How long after the grace period the process exits by itself, if closing has not finished by then. */
const EXIT_DEADLINE_AFTER_GRACE_MS = 3000;

/**
 * The process's end on SIGTERM/SIGINT. The server stops taking connections: idle ones close at
 * once and every answer from then on closes its connection; after `graceMs` whatever is still open
 * is closed (a client that sent half a request and stalled, a live stream: Node stops enforcing its
 * header and request timeouts once a server closes, so they would hold it forever). Meanwhile the
 * background work stops, so that a relay send or an archive fetch in flight ends here instead of
 * being done again by the next process. Once both are done the process exits; should it still be
 * running 3 s after the grace period, it exits anyway. Exiting at any point loses no delivery:
 * every 200 was committed or fsync'd before it was sent (docs/durability.md).
 *
 * The launcher sets NEXT_MANUAL_SIG_HANDLE (lib/shared/server-process.ts): Next's own handler
 * would exit as soon as the connections have ended, before the background work has stopped. Under
 * a bare `next start` both handlers run and Next's exit may come first.
 */
function shutDownOnSignal(graceMs: number): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const exit = () => process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    const serversClosed = closeServers();
    setTimeout(() => {
      log.info({ graceMs }, "shutting down: closing the connections still open after the grace period");
      closeAllConnections();
    }, graceMs).unref();
    setTimeout(() => {
      log.warn("shutting down: the server and the background work have not finished closing; exiting");
      exit();
    }, graceMs + EXIT_DEADLINE_AFTER_GRACE_MS).unref();
    void Promise.all([serversClosed, stopBackground()]).then(exit);
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
