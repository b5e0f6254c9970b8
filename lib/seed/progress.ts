// A one-line progress bar for long loads: share done, rows per second and time left. On a
// terminal it redraws in place; in a log file (nohup) it prints a line every tenth of the way.
import type { WriteStream } from "node:tty";

const WIDTH = 30;

export function formatProgress(done: number, total: number, elapsedSeconds: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * WIDTH);
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const left = rate > 0 ? (total - done) / rate : NaN;
  return `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${(share * 100).toFixed(1).padStart(5)} % ` +
    `${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${Math.round(rate).toLocaleString("en-US")} rows/s` +
    (Number.isFinite(left) && done < total ? `, ${formatDuration(left)} left` : "");
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

/** An onProgress callback drawing on `out`. */
export function progressBar(out: NodeJS.WriteStream | WriteStream, now: () => number = () => performance.now()) {
  const started = now();
  let lastTenth = -1;
  return (done: number, total: number) => {
    const line = formatProgress(done, total, (now() - started) / 1000);
    if (out.isTTY) {
      out.write(`\r${line}${done >= total ? "\n" : ""}`);
      return;
    }
    const tenth = Math.floor((done / total) * 10);
    if (tenth !== lastTenth || done >= total) out.write(`${line}\n`);
    lastTenth = tenth;
  };
}
