"use client";
// The page's export links: how many rows the file will hold (GET /api/videos/count with the same
// filters, asked once the page is shown so the list never waits for it), and each download's
// progress (components/export-download.tsx). The zip, which holds the videos themselves and can
// run to gigabytes, stays a plain link: the browser's own download shows its progress and writes
// it to disk as it comes, where a page would have to hold all of it in memory.
import { useEffect, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { ExportDownload } from "../export-download";

// The page's CSV is for people with a spreadsheet: a BOM so Excel reads the Chinese as UTF-8, and
// times in the dashboard's zone, as on the page (docs/export.md).
const EXCEL = "&bom=1&tz=local";

export function ExportLinks({ query }: { query: string }) {
  const t = useTranslations("videos");
  const format = useFormatter();
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    fetch(`/api/videos/count${query ? `?${query}` : ""}`, { signal: abort.signal })
      .then((res) => (res.ok ? (res.json() as Promise<{ count: number | null }>) : { count: null }))
      .then((body) => setCount(body.count))
      .catch(() => {});
    return () => abort.abort();
  }, [query]);
  const label = count === null ? t("export") : t("exportRows", { count, rows: format.number(count) });
  // Each link's name: "Export CSV, 1,234 rows" (the count after, so "Export CSV" still names it).
  const suffix = count === null ? null : <span className="sr-only">{t("rowsSuffix", { count, rows: format.number(count) })}</span>;
  const href = (f: string) => `/api/export?format=${f}${f === "csv" ? EXCEL : ""}${query ? `&${query}` : ""}`;
  return (
    <div className="flex flex-wrap items-center gap-1 text-sm" role="group" aria-label={t("exportGroup")}>
      <span className="muted" aria-hidden="true" data-testid="export-count" data-count={count ?? ""}>{label}</span>
      {(["csv", "ndjson", "json"] as const).map((f) => (
        <ExportDownload key={f} href={href(f)} rows={count} format={f} className="btn px-2 py-1 text-xs">
          <span className="sr-only">{t("export")} </span>
          {f.toUpperCase()}
          {suffix}
        </ExportDownload>
      ))}
      <a href={href("zip")} className="btn px-2 py-1 text-xs" title={t("exportZipTitle")}>
        <span className="sr-only">{t("export")} </span>
        ZIP
        {suffix}
      </a>
    </div>
  );
}
