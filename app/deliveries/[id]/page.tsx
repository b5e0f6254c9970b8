// One delivery as an operator acts on it: what it was and what we answered, and for each relay
// target every attempt (status, answer, time), with Retry for a failed one and the rules of what is
// retried. GET /api/deliveries/<id> is its JSON twin.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { OutcomeBadge } from "@/components/deliveries/outcome-badge";
import { RetryRules } from "@/components/deliveries/retry-rules";
import { ReplayButton } from "@/components/delivery-actions";
import { RelativeTime } from "@/components/relative-time";
import { db } from "@/lib/db/client";
import { getDelivery } from "@/lib/deliveries/list";
import { formatBytes } from "@/lib/format/format";
import { forwardingOf } from "@/lib/forwarding/outbox";
import { AttemptHistory } from "@/components/deliveries/attempt-history";
import { ForwardStates } from "@/app/forwarding/forward-state";
import { TargetAction } from "@/app/forwarding/actions";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await getTranslations("deliveryDetail"))("title", { id: (await params).id.slice(0, 20) }) };
}

export default async function DeliveryPage({ params }: Props) {
  const { id } = await params;
  const delivery = await getDelivery(db(), id);
  if (!delivery) notFound();
  const [targets, t, tf] = await Promise.all([forwardingOf(db(), delivery.id), getTranslations("deliveryDetail"), getTranslations("forwarding")]);
  const fields: [string, React.ReactNode][] = [
    [t("received"), <RelativeTime key="r" iso={delivery.receivedAt} />],
    [t("event"), <span key="e" className="font-mono">{delivery.eventCode ?? "—"}</span>],
    [t("outcome"), <OutcomeBadge key="o" outcome={delivery.outcome} />],
    [t("status"), <span key="s" className="font-mono">{delivery.httpStatus}</span>],
    [t("error"), delivery.error ?? "—"],
    [t("size"), formatBytes(delivery.bodyBytes)],
    [t("video"), delivery.videoEventId ? <Link key="v" href={`/videos/${delivery.videoEventId}`} className="link font-mono">{delivery.videoEventId}</Link> : "—"],
  ];
  return (
    <article className="space-y-6">
      <Link href="/deliveries" className="link text-sm">← {t("back")}</Link>
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t("title", { id: delivery.id })}</h1>
        {(delivery.outcome === "rejected" || delivery.outcome === "quarantined") && <ReplayButton id={delivery.id} />}
      </header>
      <dl className="card grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1.5 p-4 text-sm">
        {fields.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="muted">{k}</dt>
            <dd className="break-words">{v}</dd>
          </div>
        ))}
      </dl>

      <section aria-labelledby="forwarding-title" className="space-y-3">
        <h2 id="forwarding-title" className="text-lg font-medium">{t("forwardingTitle")}</h2>
        {targets.length === 0 ? (
          <p className="text-sm muted">{t("noTargets")}</p>
        ) : (
          <ul className="space-y-3">
            {targets.map((f) => (
              <li key={f.targetId} className="card space-y-2 p-3 text-sm" data-testid="delivery-target" data-state={f.state}>
                <p className="font-mono text-xs break-all">{f.target}</p>
                <ForwardStates states={[f]} />
                <AttemptHistory targetId={f.targetId} history={f.history} />
                {f.state === "failed" && (
                  <TargetAction targetId={f.targetId} action="retry" deliveryId={delivery.id} label={tf("retry")} context={tf("ofDelivery", { id: delivery.id, target: f.target })} />
                )}
              </li>
            ))}
          </ul>
        )}
        <RetryRules />
      </section>

      <section aria-labelledby="body-title" className="card p-4">
        <h2 id="body-title" className="mb-2 text-lg font-medium">{t("bodyTitle")}</h2>
        {delivery.body === null ? (
          <p className="text-sm muted">{t("bodyNotKept")}</p>
        ) : (
          <pre tabIndex={0} role="region" aria-labelledby="body-title" className="max-h-[32rem] overflow-auto rounded bg-zinc-100 p-2 font-mono text-xs whitespace-pre-wrap break-all dark:bg-zinc-950" data-testid="delivery-body">{delivery.body}</pre>
        )}
      </section>
    </article>
  );
}
