// Every attempt to send one delivery to one target, newest first: when, what came of it, the
// target's status and the first bytes of its answer (secrets already cut out when it was kept),
// and how long it took. A list rather than a table so that it reads on a 390 px phone.
import { useFormatter, useTranslations } from "next-intl";
import { RelativeTime } from "@/components/relative-time";
import { HISTORY_LIMIT, type AttemptRecord } from "@/lib/forwarding/outbox";

const RESULT_STYLE: Record<AttemptRecord["state"], string> = {
  delivered: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  pending: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

export function AttemptHistory({ targetId, history }: { targetId: number; history: AttemptRecord[] }) {
  const t = useTranslations("deliveryDetail");
  const tf = useTranslations("forwarding");
  const format = useFormatter();
  const titleId = `attempts-${targetId}`;
  return (
    <section aria-labelledby={titleId} className="space-y-1">
      <h3 id={titleId} className="text-xs font-medium muted">
        {history.length === 0 ? t("historyNone") : t("historyTitle", { count: history.length, more: history.length >= HISTORY_LIMIT ? "more" : "all" })}
      </h3>
      {history.length > 0 && (
        <ol className="divide-y divide-zinc-200 rounded border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" data-testid="delivery-attempts">
          {history.map((a, i) => (
            <li key={`${a.at}-${i}`} className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 px-2 py-1.5 text-xs" data-testid="delivery-attempt" data-state={a.state}>
              <RelativeTime iso={a.at} className="tabular-nums" />
              <span data-badge className={`rounded px-1.5 py-0.5 font-medium whitespace-nowrap ${RESULT_STYLE[a.state]}`}>{t(`attemptResults.${a.state}`)}</span>
              <span className="font-mono" data-testid="delivery-attempt-status">{a.status ?? tf("noAnswer")}</span>
              {a.latencyMs !== null && <span className="muted tabular-nums">{format.number(a.latencyMs, { style: "unit", unit: "millisecond", unitDisplay: "short" })}</span>}
              {a.answer && <span className="basis-full break-words muted" data-testid="delivery-attempt-answer">{a.answer}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
