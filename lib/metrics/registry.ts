// Prometheus metrics, one registry per process (kept on globalThis so module reloads in
// development do not register twice). GET /api/metrics serves `metricsRegistry`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    callbacks: new Counter({
      name: "callbacks_total",
      help: "Callback deliveries received, by event code and outcome",
      labelNames: ["event", "outcome"] as const,
      registers: [registry],
    }),
    ingestSeconds: new Histogram({
      name: "ingest_duration_seconds",
      help: "Time from a callback's arrival to its answer",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    spoolDepth: new Gauge({ name: "spool_depth", help: "Deliveries waiting in the spool for the database", registers: [registry] }),
    quarantined: new Counter({
      name: "deliveries_quarantined_total",
      help: "Spooled deliveries the drain set aside after they failed the same way twice, by where they went (deliveries: a quarantined row; dead_letter: a file under DATA_DIR)",
      labelNames: ["to"] as const,
      registers: [registry],
    }),
    liveClients: new Gauge({ name: "live_stream_clients", help: "Open /api/stream connections", registers: [registry] }),
    forwardBacklog: new Gauge({
      name: "forward_backlog",
      help: "Deliveries waiting to be forwarded, by relay target",
      labelNames: ["target"] as const,
      registers: [registry],
    }),
    forwardAttempts: new Counter({
      name: "forward_attempts_total",
      help: "Forward attempts by relay target and outcome (delivered, retry, failed)",
      labelNames: ["target", "outcome"] as const,
      registers: [registry],
    }),
    forwardLatency: new Histogram({
      name: "forward_latency_seconds",
      help: "Time a relay target took to answer a forward",
      labelNames: ["target"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    mediaCache: new Counter({
      name: "media_cache_requests_total",
      help: "Media requests by cache result (hit, miss)",
      labelNames: ["kind", "result"] as const,
      registers: [registry],
    }),
    archiveTotal: new Counter({
      name: "media_archive_total",
      help: "Archive attempts by kind and result (archived, retry, expired, failed)",
      labelNames: ["kind", "result"] as const,
      registers: [registry],
    }),
    archiveBacklog: new Gauge({ name: "media_archive_backlog", help: "Videos and previews waiting to be archived (pending)", registers: [registry] }),
    archiveLag: new Histogram({
      name: "media_archive_lag_seconds",
      help: "Time from a video's callback to its file being archived",
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 86_400],
      registers: [registry],
    }),
    robotLastCallback: new Gauge({
      name: "robot_last_callback_timestamp_seconds",
      help: "When each robot's last callback arrived (Unix seconds), as the silence monitor last read it",
      labelNames: ["robot_id"] as const,
      registers: [registry],
    }),
  };
}

const holder = globalThis as unknown as { __videoDashboardMetrics?: ReturnType<typeof create> };
export const metrics = (holder.__videoDashboardMetrics ??= create());

const seenEvents = new Set<string>();
const MAX_EVENT_LABELS = 50;

/**
 * The `event` label for a callback: its code, as long as it looks like one and fewer than 50
 * distinct codes were seen; hostile bodies must not grow the metrics without bound.
 */
export function eventLabel(eventCode: string | null): string {
  if (eventCode === null) return "none";
  if (!/^\d{1,8}$/.test(eventCode)) return "invalid";
  if (seenEvents.has(eventCode)) return eventCode;
  if (seenEvents.size >= MAX_EVENT_LABELS) return "other";
  seenEvents.add(eventCode);
  return eventCode;
}
