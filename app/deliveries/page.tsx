import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DeliveryBody, ReplayButton } from "@/components/delivery-actions";
import { EmptyState } from "@/components/empty-state";
import { formatBytes } from "@/lib/format/format";
import { LiveRefresh } from "@/components/live/live-refresh";
import { attempt, toURLSearchParams, type SearchParams } from "@/lib/pages/params";
import { Pager } from "@/components/pager";
import { ParamErrorNotice } from "@/components/param-error";
import { RelativeTime } from "@/components/relative-time";
import { TableHead } from "@/components/table-head";
import { db } from "@/lib/db/client";
import { forwardStates } from "@/lib/forwarding/outbox";
import { ForwardStates } from "@/app/forwarding/forward-state";
import { listDeliveries, OUTCOMES, parseDeliveryQuery, recentEventCodes } from "@/lib/deliveries/list";
import { OutcomeBadge } from "@/components/deliveries/outcome-badge";

export const dynamic = "force-dynamic";
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("deliveries"))("title") };
}

export default async function DeliveriesPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await toURLSearchParams(searchParams);
  const [t, td] = await Promise.all([getTranslations("deliveries"), getTranslations("deliveryDetail")]);
  const { value: query, error } = attempt(() => parseDeliveryQuery(params));
  if (error) return <ParamErrorNotice error={error} resetHref="/deliveries" />;
  const [{ items, nextCursor }, codes] = await Promise.all([listDeliveries(db(), query), recentEventCodes(db())]);
  const forwarding = await forwardStates(db(), items.map((d) => d.id));
  const filterQuery = new URLSearchParams();
  if (query.outcome) filterQuery.set("outcome", query.outcome);
  if (query.eventCode) filterQuery.set("eventCode", query.eventCode);
  if (query.forward) filterQuery.set("forward", query.forward);
  const filtered = Boolean(query.outcome || query.eventCode || query.forward);
  return (
    <div className="space-y-4">
      {!query.cursor && <LiveRefresh />}
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm muted">{t("intro")}</p>
      <form key={filterQuery.toString()} method="get" action="/deliveries" aria-label={t("form")} className="card flex flex-wrap items-end gap-2 p-3">
        <div>
          <label htmlFor="d-outcome" className="label">{t("outcome")}</label>
          <select id="d-outcome" name="outcome" defaultValue={query.outcome ?? ""} className="input">
            <option value="">{t("any")}</option>
            {OUTCOMES.map((o) => <option key={o} value={o}>{t(`outcomes.${o}`)}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="d-code" className="label">{t("eventCode")}</label>
          <input id="d-code" name="eventCode" list="d-codes" defaultValue={query.eventCode} placeholder="20004" className="input" autoComplete="off" />
          <datalist id="d-codes">{codes.map((c) => <option key={c} value={c} />)}</datalist>
        </div>
        <div>
          <label htmlFor="d-forward" className="label">{td("forwardFilter")}</label>
          <select id="d-forward" name="forward" defaultValue={query.forward ?? ""} className="input">
            <option value="">{td("forwardAny")}</option>
            <option value="failed">{td("forwardFailed")}</option>
          </select>
        </div>
        <button type="submit" className="btn">{t("filter")}</button>
        {filtered && <Link href="/deliveries" className="btn">{t("clear")}</Link>}
      </form>
      {items.length === 0 ? (
        filtered ? <p className="muted">{t("noMatch")}</p> : <EmptyState title={t("empty")} />
      ) : (
        <div className="card relative overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("caption")}</caption>
            <TableHead labels={[t("received"), t("event"), t("outcome"), "HTTP", t("error"), t("size"), t("details"), ...(forwarding.size > 0 ? [t("forwarding")] : [])]} />
            <tbody className="divide-y divide-zinc-100 align-top dark:divide-zinc-800">
              {items.map((d) => (
                <tr key={d.id} className="row-linked" data-testid="delivery-row" data-outcome={d.outcome} data-delivery-id={d.id}>
                  <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={d.receivedAt} /></td>
                  <td className="px-3 py-2 font-mono">{d.eventCode ?? "—"}</td>
                  <td className="px-3 py-2">
                    <OutcomeBadge outcome={d.outcome} />
                  </td>
                  <td className="px-3 py-2 font-mono">{d.httpStatus}</td>
                  <td className="max-w-md px-3 py-2 break-words" data-data>{d.error ?? <span className="muted">—</span>}</td>
                  <td className="px-3 py-2 text-right whitespace-nowrap muted">{formatBytes(d.bodyBytes)}</td>
                  <td className="space-y-1 px-3 py-2">
                    <Link href={`/deliveries/${d.id}`} className="link row-link block" data-testid="delivery-open">{td("open")}<span className="sr-only"> {td("openLabel", { id: d.id })}</span></Link>
                    {d.videoEventId && <Link href={`/videos/${d.videoEventId}`} className="link block">{t("video", { id: d.videoEventId })}</Link>}
                    {d.deletedAt && (
                      <span className="block whitespace-nowrap" data-testid="delivery-deleted">
                        {t("videoDeleted")} <RelativeTime iso={d.deletedAt} />
                      </span>
                    )}
                    {d.hasBody && <DeliveryBody id={d.id} />}
                    {(d.outcome === "rejected" || d.outcome === "quarantined") && <ReplayButton id={d.id} />}
                  </td>
                  {forwarding.size > 0 && <td className="px-3 py-2"><ForwardStates states={forwarding.get(d.id)} /></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base="/deliveries" query={filterQuery.toString()} nextCursor={nextCursor} isFirst={!query.cursor} noun="deliveries" />
    </div>
  );
}
