// The frame the conversation and sender list pages share: live refresh, title, search box, the
// empty and no-match states, the table with its headings, and the pager. Each page supplies its rows.
import type { ReactNode } from "react";
import { useTranslations } from "next-intl";
import { DateRange } from "./date-range";
import { EmptyState } from "./empty-state";
import { ListSearch } from "./list-search";
import { LiveRefresh } from "./live/live-refresh";
import { Pager } from "./pager";

export type SummaryColumn = { label: string; numeric?: boolean };

type Props = {
  title: string;
  /** The page's own path, e.g. "/senders": the search form's action and the pager's base. */
  path: string;
  /** The pager's noun. */
  noun: "conversations" | "senders";
  /** "No sender matches …", for a search that found nothing. */
  noMatch: string;
  /** The title of the empty state before anything arrived. */
  empty: string;
  searchLabel: string;
  placeholder: string;
  caption: string;
  columns: SummaryColumn[];
  query: { q?: string; cursor?: unknown };
  nextCursor: string | null;
  /** The table rows; none means the empty or no-match state. */
  rows: ReactNode[];
  /** The URL's date range (`from`, `to`), kept by the search and the pager. */
  range: { from?: string; to?: string };
};

export function SummaryList({ title, path, noun, noMatch, empty, searchLabel, placeholder, caption, columns, query, nextCursor, rows, range }: Props) {
  const t = useTranslations("dateRange");
  const kept = new URLSearchParams();
  if (query.q) kept.set("q", query.q);
  const keepQ = new URLSearchParams(kept);
  for (const [k, v] of Object.entries(range)) if (v) kept.set(k, v);
  const q = kept.toString();
  const ranged = Boolean(range.from || range.to);
  return (
    <div className="space-y-4">
      {!query.cursor && <LiveRefresh />}
      <h1 className="text-2xl font-semibold">{title}</h1>
      <ListSearch key={query.q ?? ""} action={path} value={query.q} label={searchLabel} placeholder={placeholder} keep={range} />
      <DateRange path={path} from={range.from} to={range.to} keep={keepQ} />
      {ranged && <p className="text-sm muted">{t("allTime")}</p>}
      {rows.length === 0 ? (
        query.q ? <p className="muted">{noMatch}</p> : ranged ? <p className="muted">{t("nothing")}</p> : <EmptyState title={empty} />
      ) : (
        <div className="card relative overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{caption}</caption>
            <thead className="border-b border-zinc-200 text-xs text-zinc-700 uppercase dark:border-zinc-800 dark:text-zinc-300">
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col" className={c.numeric ? "px-3 py-2 text-right" : "px-3 py-2"}>{c.label}</th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{rows}</tbody>
          </table>
        </div>
      )}
      <Pager base={path} query={q} nextCursor={nextCursor} isFirst={!query.cursor} noun={noun} />
    </div>
  );
}
