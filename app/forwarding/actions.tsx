"use client";
// The relay's buttons (/forwarding, a delivery's page): POST to /api/forwarding/targets/<id>/<action>,
// say what happened (a retry: how many deliveries went back to the queue), then refresh.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";

/** `label` is the button's word; `context` (read by screen readers only) says which target or delivery it acts on. */
/** After a retry, how long its message shows before the page is refreshed (which may remove the row). */
const REFRESH_AFTER_RETRY_MS = 1500;

export function TargetAction({ targetId, action, deliveryId, label, context }: { targetId: number; action: "pause" | "resume" | "retry" | "retry-failed"; deliveryId?: string; label: string; context: string }) {
  const t = useTranslations("forwarding");
  const td = useTranslations("deliveryDetail");
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn px-2 py-1 text-xs"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          setDone(null);
          try {
            const res = await fetch(`/api/forwarding/targets/${targetId}/${action}`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(deliveryId ? { deliveryId } : {}),
            });
            const json = (await res.json().catch(() => ({}))) as { error?: string; retried?: number };
            if (!res.ok) setError(json.error ?? `HTTP ${res.status}`);
            else if (json.retried === undefined) router.refresh();
            else {
              setDone(td("retried", { count: json.retried }));
              setTimeout(() => router.refresh(), REFRESH_AFTER_RETRY_MS);
            }
          } catch {
            setError(t("unreachable"));
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}<span className="sr-only"> {context}</span>
      </button>
      {error && <span className="text-xs text-red-700 dark:text-red-400" role="alert">{error}</span>}
      <span role="status" className="text-xs muted" data-testid="retry-result">{done}</span>
    </span>
  );
}
