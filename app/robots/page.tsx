import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { ListSearch } from "@/components/list-search";
import { LiveRefresh } from "@/components/live/live-refresh";
import { Pager } from "@/components/pager";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { RobotLink } from "@/components/robots/robot-link";
import { RobotState } from "@/components/robots/robot-state";
import { TableHead } from "@/components/table-head";
import { config } from "@/lib/config";
import { db } from "@/lib/db/client";
import { formatTotalDuration } from "@/lib/format/durations";
import { attempt, toURLSearchParams, type SearchParams } from "@/lib/pages/params";
import { countRobots, listRobots, parseRobotQuery, type RobotQuery } from "@/lib/robots/list";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("robots"))("title") };
}

/** A page of robots (silent first), with their counts, a state filter and a search by id. */
export default async function RobotsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await toURLSearchParams(searchParams);
  const { value: query, error } = attempt(() => parseRobotQuery(params));
  if (error) return <ParamErrorNotice error={error} resetHref="/robots" />;
  return <RobotList query={query} />;
}

async function RobotList({ query }: { query: RobotQuery }) {
  const [t, format] = await Promise.all([getTranslations("robots"), getFormatter()]);
  const options = { silentAfterMs: config().ROBOT_SILENT_AFTER, now: new Date() };
  const [{ items, nextCursor }, counts] = await Promise.all([listRobots(db(), query, options), countRobots(db(), options)]);
  const listQuery = new URLSearchParams();
  if (query.state) listQuery.set("state", query.state);
  if (query.q) listQuery.set("q", query.q);
  const tabs: { state?: "silent" | "active"; label: string }[] = [
    { label: t("all") },
    { state: "silent", label: t("silentCount", { count: counts.silent }) },
    { state: "active", label: t("activeCount", { count: counts.total - counts.silent }) },
  ];
  return (
    <div className="space-y-4">
      {!query.cursor && <LiveRefresh />}
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="text-sm muted">{t("intro", { after: formatTotalDuration(format, options.silentAfterMs / 1000) })}</p>
        {counts.total > 0 && <p className="text-sm" data-testid="robot-counts">{t("counts", { total: counts.total, silent: counts.silent })}</p>}
      </div>
      {counts.total === 0 ? (
        <p className="card p-8 text-center muted">{t("empty")}</p>
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-3">
            <nav aria-label={t("stateFilter")} className="flex flex-wrap gap-1">
              {tabs.map((tab) => (
                <Link
                  key={tab.label}
                  href={tab.state ? `/robots?state=${tab.state}` : "/robots"}
                  aria-current={query.state === tab.state ? "page" : undefined}
                  className={`btn ${query.state === tab.state ? "font-semibold underline" : ""}`}
                >
                  {tab.label}
                </Link>
              ))}
            </nav>
            <ListSearch key={query.q ?? ""} action="/robots" value={query.q} label={t("search")} placeholder={t("placeholder")} keep={{ state: query.state }} />
          </div>
          {items.length === 0 ? (
            <p className="muted">{query.q ? t("noMatch") : t(query.state === "silent" ? "noneSilent" : "noneActive")}</p>
          ) : (
            <div className="card overflow-x-auto" tabIndex={0} role="region" aria-label={t("caption")}>
              <table className="w-full text-left text-sm">
                <caption className="sr-only">{t("caption")}</caption>
                <TableHead labels={[t("robot"), t("state"), t("instances"), t("lastCallback"), t("lastVideo")]} />
                <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                  {items.map((r) => (
                    <tr key={r.robotId} data-testid="robot-row" className="row-linked">
                      <td className="max-w-64 px-3 py-2"><RobotLink robotId={r.robotId} label={r.label} rowLink /></td>
                      <td className="px-3 py-2"><RobotState state={r.state} silentSince={r.silentSince} /></td>
                      <td className="max-w-64 px-3 py-2 font-mono text-xs break-all">
                        {r.instanceIds.join(", ") || "—"}
                        {r.instanceCount > r.instanceIds.length && <span className="muted"> {t("moreInstances", { count: r.instanceCount - r.instanceIds.length })}</span>}
                      </td>
                      <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={r.lastCallbackAt} /></td>
                      <td className="px-3 py-2 whitespace-nowrap">{r.lastVideoAt ? <RelativeTime iso={r.lastVideoAt} /> : t("never")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager base="/robots" query={listQuery.toString()} nextCursor={nextCursor} isFirst={!query.cursor} noun="robots" ordered="name" />
        </>
      )}
    </div>
  );
}
