// Starts the silence monitor in the server process (instrumentation.ts) with the configured settings.
import { config } from "../config";
import { pool } from "../db/client";
import { startMonitor } from "./monitor";

const holder = globalThis as unknown as { __videoDashboardMonitor?: boolean };

/** Rounds every 5 s: a change of state is noticed, and its alert sent, well within 15 s. */
export function startRobotMonitor(): void {
  const cfg = config();
  if (holder.__videoDashboardMonitor || !cfg.DATABASE_URL) return;
  holder.__videoDashboardMonitor = true;
  const stop = startMonitor(pool(), {
    silentAfterMs: cfg.ROBOT_SILENT_AFTER,
    webhookUrl: cfg.ALERT_WEBHOOK_URL,
    format: cfg.ALERT_WEBHOOK_FORMAT,
    publicUrl: cfg.PUBLIC_URL ?? `http://${cfg.HOST}:${cfg.PORT}`,
  });
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
}
