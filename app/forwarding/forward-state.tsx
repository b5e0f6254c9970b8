// A delivery's forwarding state per relay target, as the /deliveries list shows it.
import { useFormatter, useTranslations } from "next-intl";
import { RelativeTime } from "@/components/relative-time";
import type { ForwardState } from "@/lib/forwarding/outbox";

const STYLE: Record<ForwardState["state"], string> = {
  pending: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
  delivered: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  retrying: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

export function ForwardStates({ states }: { states: ForwardState[] | undefined }) {
  if (!states || states.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="space-y-1">
      {states.map((f) => (
        <li key={f.targetId} data-testid="forward-state" data-state={f.state} title={f.target}>
          <StateDetail state={f} showTarget={states.length > 1} />
        </li>
      ))}
    </ul>
  );
}

function StateDetail({ state: f, showTarget }: { state: ForwardState; showTarget: boolean }) {
  const t = useTranslations("forwarding");
  const format = useFormatter();
  const answer = (limit: number) => `${f.status ?? t("noAnswer")}${f.answer ? `: ${f.answer.slice(0, limit)}` : ""}`;
  const detail =
    f.state === "delivered" && f.status !== null && f.latencyMs !== null
      ? t("deliveredIn", { status: f.status, latency: format.number(f.latencyMs, { style: "unit", unit: "millisecond", unitDisplay: "short" }) })
      : f.state === "retrying"
        ? t("attempts", { attempts: f.attempts, answer: answer(80) })
        : f.state === "failed"
          ? answer(120)
          : "";
  return (
    <>
      <span data-badge className={`shrink-0 rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${STYLE[f.state]}`}>{t(`states.${f.state}`)}</span>
      {/* The target's label (lib/forwarding/label.ts: "origin #hash" or "name (origin)"), never its URL, which may hold a token. */}
      {showTarget && <span className="ml-1 text-xs break-all muted">{" "}{f.target}</span>}
      {detail && <span className="block text-xs break-words muted">{detail}</span>}
      {f.state === "retrying" && f.nextAttemptAt && (
        <span className="block text-xs muted">{t("nextAttempt")} <RelativeTime iso={f.nextAttemptAt} upcoming /></span>
      )}
    </>
  );
}
