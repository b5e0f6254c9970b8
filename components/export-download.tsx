"use client";
// An export link that shows its download's progress. A plain click fetches the file itself and
// counts the rows as they stream in (one line each: CSV after its header, NDJSON, and the JSON
// array PostgreSQL writes one object per line), against `rows`, the count the link announced;
// then hands the finished file to the browser under the server's file name. Any other click
// (middle, with a modifier, "save link as") and browsers without JavaScript get the plain link.
import { useState } from "react";
import { useFormatter, useTranslations } from "next-intl";

type Progress = { rows: number; bytes: number; done: boolean; error?: string };

const NEWLINE = 10;

export function ExportDownload({ href, rows, format, className, children, title, testId }: {
  href: string;
  /** How many rows the file holds, when known: the bar's end. */
  rows: number | null;
  format: "csv" | "ndjson" | "json";
  className?: string;
  title?: string;
  testId?: string;
  children: React.ReactNode;
}) {
  const t = useTranslations("exportProgress");
  const format_ = useFormatter();
  const [progress, setProgress] = useState<Progress | null>(null);

  const download = async (e: React.MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (progress && !progress.done && !progress.error) return;
    setProgress({ rows: 0, bytes: 0, done: false });
    try {
      const res = await fetch(href);
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => ({}))) as { error?: string };
        setProgress({ rows: 0, bytes: 0, done: true, error: body.error ?? `HTTP ${res.status}` });
        return;
      }
      const reader = res.body.getReader();
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let lines = 0;
      let bytes = 0;
      let shownAt = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.length;
        for (let i = value.indexOf(NEWLINE); i !== -1; i = value.indexOf(NEWLINE, i + 1)) lines++;
        // A few updates a second: a re-render per chunk would slow the download it reports.
        if (performance.now() - shownAt > 100) {
          shownAt = performance.now();
          setProgress({ rows: rowsOf(format, lines), bytes, done: false });
        }
      }
      const blob = new Blob(chunks, { type: res.headers.get("Content-Type") ?? "application/octet-stream" });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = fileNameOf(res.headers.get("Content-Disposition")) ?? "videos";
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setProgress({ rows: rowsOf(format, lines), bytes, done: true });
    } catch {
      setProgress((p) => ({ rows: p?.rows ?? 0, bytes: p?.bytes ?? 0, done: true, error: t("failed") }));
    }
  };

  const size = progress ? format_.number(progress.bytes / 1_000_000, { maximumFractionDigits: 1 }) : "";
  return (
    <>
      <a href={href} download className={className} title={title} onClick={download} data-testid={testId}>
        {children}
      </a>
      {progress && (
        <span className="flex items-center gap-1.5 text-xs" data-testid="export-progress" data-done={progress.done ? "true" : "false"}>
          {!progress.error && (
            <progress
              className="h-2 w-20"
              max={rows ?? undefined}
              value={progress.done && rows !== null ? rows : rows !== null ? Math.min(progress.rows, rows) : undefined}
              aria-label={t("label")}
            />
          )}
          <span role="status">
            {progress.error
              ? t("error", { error: progress.error })
              : progress.done
                ? t("done", { rows: progress.rows, size })
                : rows !== null
                  ? t("running", { rows: Math.min(progress.rows, rows), total: rows, size })
                  : t("runningUnknown", { rows: progress.rows, size })}
          </span>
        </span>
      )}
    </>
  );
}

/** Rows so far from the lines seen: a CSV's first line is its header; a JSON array's is its `[`. */
function rowsOf(format: "csv" | "ndjson" | "json", lines: number): number {
  return format === "ndjson" ? lines : Math.max(0, lines - 1);
}

/** The name from `attachment; filename="..."; filename*=UTF-8''...`, the UTF-8 one first. */
function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (utf8) {
    try {
      return decodeURIComponent(utf8[1]);
    } catch {
      // Fall back to the plain name.
    }
  }
  return /filename="([^"]+)"/i.exec(disposition)?.[1] ?? null;
}
