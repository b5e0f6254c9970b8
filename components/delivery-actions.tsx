"use client";
// A delivery's body, fetched only when asked for, and the Replay action for rejected and quarantined ones
// (POST /api/deliveries/<id>/replay, served by the durability feature).
import { useState } from "react";
import { useTranslations } from "next-intl";

export function DeliveryBody({ id }: { id: string }) {
  const t = useTranslations("deliveries");
  const [state, setState] = useState<{ body?: string | null; error?: string } | null>(null);
  return (
    <details
      onToggle={async (e) => {
        if (!(e.currentTarget as HTMLDetailsElement).open || state) return;
        setState({});
        try {
          const res = await fetch(`/api/deliveries?id=${encodeURIComponent(id)}&includeBody=1`);
          const json = (await res.json()) as { body?: string | null; error?: string };
          setState(res.ok ? { body: json.body ?? null } : { error: json.error ?? `HTTP ${res.status}` });
        } catch {
          setState({ error: t("unreachable") });
        }
      }}
    >
      <summary className="cursor-pointer text-sm link">{t("body")}<span className="sr-only"> {t("ofDelivery", { id })}</span></summary>
      <div className="mt-2" data-testid="delivery-body">
        {state === null || (state.body === undefined && !state.error) ? (
          <p className="text-sm muted">{t("loading")}</p>
        ) : state.error ? (
          <p className="text-sm text-red-700 dark:text-red-400">{state.error}</p>
        ) : state.body === null ? (
          <p className="text-sm muted">{t("notKept")}</p>
        ) : (
          <pre className="max-h-96 max-w-[80vw] overflow-auto rounded bg-zinc-100 p-2 font-mono text-xs whitespace-pre-wrap break-all dark:bg-zinc-950">{state.body}</pre>
        )}
      </div>
    </details>
  );
}

export function ReplayButton({ id }: { id: string }) {
  const t = useTranslations("deliveries");
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn px-2 py-1 text-xs"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            const res = await fetch(`/api/deliveries/${encodeURIComponent(id)}/replay`, { method: "POST" });
            const json = (await res.json().catch(() => ({}))) as { outcome?: string; error?: string };
            setResult(res.ok ? `${t("now", { outcome: json.outcome ?? "done" })}${json.error ? `: ${json.error}` : ""}` : json.error ?? `HTTP ${res.status}`);
          } catch {
            setResult(t("unreachable"));
          } finally {
            setBusy(false);
          }
        }}
      >
        {t("replay")}<span className="sr-only"> {t("ofDelivery", { id })}</span>
      </button>
      <span role="status" className="text-xs muted">{result}</span>
    </span>
  );
}
