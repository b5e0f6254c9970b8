import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DateRange } from "@/components/date-range";
import { EmptyState } from "@/components/empty-state";
import { attempt, filterQuery, hasFilters, orderAndSize, toClientFilters, toURLSearchParams, type SearchParams } from "@/lib/pages/params";
import { Pager } from "@/components/pager";
import { ParamErrorNotice } from "@/components/param-error";
import { ExportLinks } from "@/components/videos/export-links";
import { FilterForm } from "@/components/videos/filter-form";
import { LiveVideoList, type ListView } from "@/components/videos/live-video-list";
import { contextQuery } from "@/lib/pages/video-context";
import { db } from "@/lib/db/client";
import { FILTER_NAMES, parseVideoFilters } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";
import { parseSortedPage } from "@/lib/videos/sort";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("videos"))("title") };
}

export default async function VideosPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await toURLSearchParams(searchParams);
  const [t, w] = await Promise.all([getTranslations("videos"), getTranslations("plain")]);
  const view: ListView = params.get("view") === "table" ? "table" : "grid";
  const values = Object.fromEntries([...FILTER_NAMES, "limit"].map((n) => [n, params.get(n) ?? undefined]));
  const sort = orderAndSize(params);
  // What every link of the list keeps: filters, view and order (the pager adds the cursor).
  const query = filterQuery(params, { view: view === "table" ? "table" : undefined, ...sort });

  const parsed = attempt(() => ({ filters: parseVideoFilters(params), page: parseSortedPage(params) }));
  const result = parsed.value ? await listVideos(db(), parsed.value.filters, parsed.value.page) : null;
  const body =
    parsed.value && result ? (
      <>
        {parsed.value.filters.q && !parsed.value.page.cursor ? (
          // A bound, not a count: counting every match of a common term would read them all.
          <p className="text-sm muted" data-testid="match-count">
            {result.nextCursor ? w("matchesMore", { count: parsed.value.page.limit }) : w("matches", { count: result.items.length })}
          </p>
        ) : null}
        <LiveVideoList
          key={`${query}|${params.get("cursor") ?? ""}`}
          initial={result.items}
          filters={toClientFilters(parsed.value.filters)}
          view={view}
          context={contextQuery({ kind: "videos", filters: parsed.value.filters, query: filterQuery(params, { view: view === "table" ? "table" : undefined, ...sort, cursor: params.get("cursor") || undefined }) })}
          // New videos go on top of the first page newest first; in another order they have no place there.
          live={!parsed.value.page.cursor && parsed.value.page.sort === "-time"}
          selectable
          empty={<EmptyState filtered={hasFilters(parsed.value.filters)} />}
        />
        <Pager base="/videos" query={query} nextCursor={result.nextCursor} isFirst={!parsed.value.page.cursor} ordered={parsed.value.page.sort === "-time" ? "time" : "name"} />
      </>
    ) : (
      <ParamErrorNotice error={parsed.error!} resetHref="/videos" />
    );

  const exportQuery = filterQuery(params);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <div className="flex flex-wrap items-center gap-2">
          <div className="flex rounded border border-zinc-300 dark:border-zinc-700" role="group" aria-label={t("view")}>
            <ViewLink label={t("grid")} active={view === "grid"} href={`/videos${filterQuery(params, sort) ? `?${filterQuery(params, sort)}` : ""}`} />
            <ViewLink label={t("table")} active={view === "table"} href={`/videos?${filterQuery(params, { view: "table", ...sort })}`} />
          </div>
          <ExportLinks query={exportQuery} />
        </div>
      </div>
      <DateRange path="/videos" from={params.get("from")} to={params.get("to")} keep={withoutRange(query)} />
      <FilterForm key={query} values={values} view={view} sort={params.get("sort") ?? undefined} />
      {body}
    </div>
  );
}

function ViewLink({ label, active, href }: { label: string; active: boolean; href: string }) {
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={`px-3 py-1.5 text-sm font-medium first:rounded-l last:rounded-r ${active ? "bg-zinc-200 dark:bg-zinc-800" : "hover:bg-zinc-100 dark:hover:bg-zinc-900"}`}
    >
      {label}
    </Link>
  );
}

/** The page's filters and view without its range: what a new range keeps. */
function withoutRange(query: string): URLSearchParams {
  const keep = new URLSearchParams(query);
  keep.delete("from");
  keep.delete("to");
  return keep;
}
