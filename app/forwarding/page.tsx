import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { getFormatter } from "next-intl/server";
import { formatTotalDuration } from "@/lib/format/durations";
import { LiveRefresh } from "@/components/live/live-refresh";
import { RelativeTime } from "@/components/relative-time";
import { pool } from "@/lib/db/client";
import { recentFailures } from "@/lib/forwarding/outbox";
import { targetSummaries } from "@/lib/forwarding/targets";
import { TargetAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Forwarding" };

export default async function ForwardingPage() {
  const [targets, failures, format] = await Promise.all([targetSummaries(pool()), recentFailures(pool()), getFormatter()]);
  const labels = new Map(targets.map((t) => [t.id, t.target]));
  return (
    <div className="space-y-4">
      <LiveRefresh />
      <h1 className="text-2xl font-semibold">Forwarding</h1>
      <p className="text-sm muted">
        Every delivery is forwarded to each target in FORWARD_URLS, in the order received. While one is being retried, the later ones to that
        target wait behind it.
      </p>
      {targets.length === 0 ? (
        <EmptyState title="No relay target: set FORWARD_URLS to forward every delivery to your bot" />
      ) : (
        <div className="card relative overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Relay targets</caption>
            <thead className="border-b border-zinc-200 text-xs text-zinc-700 uppercase dark:border-zinc-800 dark:text-zinc-300">
              <tr>
                <th scope="col" className="px-3 py-2">Target</th>
                <th scope="col" className="px-3 py-2">State</th>
                <th scope="col" className="px-3 py-2 text-right">Backlog</th>
                <th scope="col" className="px-3 py-2">Oldest pending</th>
                <th scope="col" className="px-3 py-2">Success, last hour</th>
                <th scope="col" className="px-3 py-2 text-right">Failed</th>
                <th scope="col" className="px-3 py-2">Last error</th>
                <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 align-top dark:divide-zinc-800">
              {targets.map((t) => (
                <tr key={t.id} data-testid="forward-target">
                  <td className="px-3 py-2 font-mono break-all">{t.target}{t.events && <span className="block text-xs muted">events {t.events.join(", ")}</span>}</td>
                  <td className="px-3 py-2">{!t.active ? "Not configured" : t.paused ? "Paused" : "Forwarding"}</td>
                  <td className="px-3 py-2 text-right font-mono" data-testid="forward-backlog">{t.backlog}</td>
                  <td className="px-3 py-2">{t.oldestPendingSeconds === null ? "—" : formatTotalDuration(format, t.oldestPendingSeconds)}</td>
                  <td className="px-3 py-2">{t.successRate === null ? "—" : `${(t.successRate * 100).toFixed(1)} % of ${t.attemptsLastHour}`}</td>
                  <td className="px-3 py-2 text-right font-mono">{t.failed}</td>
                  <td className="max-w-md px-3 py-2 break-words">
                    {t.lastError ? <>{t.lastError}{t.lastErrorAt && <span className="block text-xs muted"><RelativeTime iso={t.lastErrorAt} /></span>}</> : <span className="muted">—</span>}
                  </td>
                  <td className="px-3 py-2">
                    {t.active && (t.paused ? <TargetAction targetId={t.id} action="resume" label="Resume" /> : <TargetAction targetId={t.id} action="pause" label="Pause" />)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {failures.length > 0 && (
        <section className="space-y-2">
          <h2 className="text-lg font-semibold">Failed deliveries</h2>
          <div className="card relative overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Deliveries that failed for good, newest first</caption>
              <thead className="border-b border-zinc-200 text-xs text-zinc-700 uppercase dark:border-zinc-800 dark:text-zinc-300">
                <tr>
                  <th scope="col" className="px-3 py-2">Delivery</th>
                  <th scope="col" className="px-3 py-2">Target</th>
                  <th scope="col" className="px-3 py-2">Answer</th>
                  <th scope="col" className="px-3 py-2">When</th>
                  <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 align-top dark:divide-zinc-800">
                {failures.map((f) => (
                  <tr key={`${f.deliveryId}-${f.targetId}`} data-testid="forward-failure">
                    <td className="px-3 py-2 font-mono"><Link className="link" href={`/api/deliveries/${f.deliveryId}`}>{f.deliveryId}</Link></td>
                    <td className="px-3 py-2 font-mono break-all">{labels.get(f.targetId) ?? f.targetId}</td>
                    <td className="max-w-md px-3 py-2 break-words"><span className="font-mono">{f.status ?? "no answer"}</span> {f.answer}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{f.lastAttemptAt ? <RelativeTime iso={f.lastAttemptAt} /> : "—"}</td>
                    <td className="px-3 py-2"><TargetAction targetId={f.targetId} action="retry" deliveryId={f.deliveryId} label="Retry" /></td>
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
