import { setting } from "@/components/setting-name";
import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { formatTotalDuration } from "@/lib/format/durations";
import { LiveRefresh } from "@/components/live/live-refresh";
import { RelativeTime } from "@/components/relative-time";
import { TableHead } from "@/components/table-head";
import { db } from "@/lib/db/client";
import { recentFailures } from "@/lib/forwarding/outbox";
import { targetSummaries } from "@/lib/forwarding/targets";
import { TargetAction } from "./actions";
import { RetryRules } from "@/components/deliveries/retry-rules";

export const dynamic = "force-dynamic";
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("forwarding"))("title") };
}

export default async function ForwardingPage() {
  const [targets, failures, format, t, w, td] = await Promise.all([
    targetSummaries(db()),
    recentFailures(db()),
    getFormatter(),
    getTranslations("forwarding"),
    getTranslations("plain"),
    getTranslations("deliveryDetail"),
  ]);
  const labels = new Map(targets.map((target) => [target.id, target.target]));
  return (
    <div className="space-y-4">
      <LiveRefresh />
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm muted">{w.rich("forwardingIntro", { setting })}</p>
      <RetryRules />
      {targets.length === 0 ? (
        <div className="card p-8 text-center" data-testid="empty-state">
          <p className="text-lg font-medium">{t("noTarget")}</p>
          <p className="mt-1 muted">{w.rich("noTargetHint", { setting })}</p>
        </div>
      ) : (
        <div className="card relative overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("targetsCaption")}</caption>
            <TableHead labels={[t("target"), t("state"), t("backlog"), t("oldestPending"), t("successLastHour"), t("failed"), t("lastError"), t("actions")]} />
            <tbody className="divide-y divide-zinc-100 align-top dark:divide-zinc-800">
              {targets.map((target) => (
                <tr key={target.id} data-testid="forward-target">
                  <td className="px-3 py-2 font-mono break-all">
                    {target.target}
                    {target.events && <span className="block text-xs muted">{t("events", { codes: target.events.join(", ") })}</span>}
                  </td>
                  <td className="px-3 py-2" data-testid="forward-target-state">{!target.active ? t("notConfigured") : target.paused ? t("paused") : t("active")}</td>
                  <td className="px-3 py-2 font-mono" data-testid="forward-backlog">{format.number(target.backlog)}</td>
                  <td className="px-3 py-2">{target.oldestPendingSeconds === null ? "—" : formatTotalDuration(format, target.oldestPendingSeconds)}</td>
                  <td className="px-3 py-2">
                    {target.successRate === null
                      ? "—"
                      : t("successRate", { rate: format.number(target.successRate, { style: "percent", maximumFractionDigits: 1 }), attempts: target.attemptsLastHour })}
                  </td>
                  <td className="px-3 py-2 font-mono" data-testid="forward-failed">{format.number(target.failed)}</td>
                  <td className="max-w-md px-3 py-2 break-words" data-testid="forward-last-error">
                    {target.lastError ? (
                      <>
                        {target.lastError}
                        {target.lastErrorAt && <span className="block text-xs muted"><RelativeTime iso={target.lastErrorAt} /></span>}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="space-y-1 px-3 py-2">
                    {target.active && (
                      <TargetAction
                        targetId={target.id}
                        action={target.paused ? "resume" : "pause"}
                        label={target.paused ? t("resume") : t("pause")}
                        context={t("ofTarget", { target: target.target })}
                      />
                    )}
                    {target.failed > 0 && (
                      <TargetAction targetId={target.id} action="retry-failed" label={td("retryAll")} context={td("retryAllOf", { target: target.target })} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {failures.length > 0 && (
        <section className="space-y-2">
          <h2 className="text-lg font-semibold">{t("failures")}</h2>
          <div className="card relative overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">{t("failuresCaption")}</caption>
              <TableHead labels={[t("delivery"), t("target"), t("answer"), t("when"), t("actions")]} />
              <tbody className="divide-y divide-zinc-100 align-top dark:divide-zinc-800">
                {failures.map((f) => (
                  <tr key={`${f.deliveryId}-${f.targetId}`} data-testid="forward-failure" data-delivery-id={f.deliveryId}>
                    <td className="px-3 py-2 font-mono"><Link className="link" href={`/deliveries/${f.deliveryId}`}>{f.deliveryId}</Link></td>
                    <td className="px-3 py-2 font-mono break-all">{labels.get(f.targetId) ?? f.targetId}</td>
                    <td className="max-w-md px-3 py-2 break-words"><span className="font-mono">{f.status ?? t("noAnswer")}</span> {f.answer}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{f.lastAttemptAt ? <RelativeTime iso={f.lastAttemptAt} /> : "—"}</td>
                    <td className="px-3 py-2">
                      <TargetAction
                        targetId={f.targetId}
                        action="retry"
                        deliveryId={f.deliveryId}
                        label={t("retry")}
                        context={t("ofDelivery", { id: f.deliveryId, target: labels.get(f.targetId) ?? String(f.targetId) })}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
