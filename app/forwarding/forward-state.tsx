// A delivery's forwarding state per relay target, as the /deliveries list shows it.
import type { ForwardState } from "@/lib/forwarding/outbox";

const STYLE: Record<ForwardState["state"], string> = {
  pending: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
  delivered: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  retrying: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

function detail(f: ForwardState): string {
  switch (f.state) {
    case "pending":
      return "";
    case "delivered":
      return `${f.status} in ${f.latencyMs} ms`;
    case "retrying":
      return `${f.attempts} attempt${f.attempts === 1 ? "" : "s"}, last ${f.status ?? "no answer"}${f.answer ? `: ${f.answer.slice(0, 80)}` : ""}${f.nextAttemptAt ? `; next ${new Date(f.nextAttemptAt).toLocaleTimeString()}` : ""}`;
    case "failed":
      return `${f.status ?? "no answer"}${f.answer ? `: ${f.answer.slice(0, 120)}` : ""}`;
  }
}

export function ForwardStates({ states }: { states: ForwardState[] | undefined }) {
  if (!states || states.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="space-y-1">
      {states.map((f) => (
        <li key={f.targetId} data-testid="forward-state" data-state={f.state} title={f.target}>
          <span className={`rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${STYLE[f.state]}`}>{f.state}</span>
          {states.length > 1 && <span className="ml-1 text-xs muted">{new URL(f.target).host}</span>}
          {detail(f) && <span className="block text-xs break-words muted">{detail(f)}</span>}
        </li>
      ))}
    </ul>
  );
}
