"use client";
// The /forwarding page's buttons: POST to /api/forwarding/targets/<id>/<action>, then refresh.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";

/** `label` is the button's word; `context` (read by screen readers only) says which target or delivery it acts on. */
export function TargetAction({ targetId, action, deliveryId, label, context }: { targetId: number; action: "pause" | "resume" | "retry"; deliveryId?: string; label: string; context: string }) {
  const t = useTranslations("forwarding");
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn px-2 py-1 text-xs"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            const res = await fetch(`/api/forwarding/targets/${targetId}/${action}`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(deliveryId ? { deliveryId } : {}),
            });
            if (!res.ok) setError(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${res.status}`);
            else router.refresh();
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
    </span>
  );
}
