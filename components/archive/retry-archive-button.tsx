"use client";
// Retry: queue a video's expired or failed files again (POST /api/videos/<id>/archive), then
// show the page again with its files pending.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";

export function RetryArchiveButton({ videoId }: { videoId: string }) {
  const t = useTranslations("archive");
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const retry = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/videos/${encodeURIComponent(videoId)}/archive`, { method: "POST" });
      if (res.ok) router.refresh();
      else setError(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${res.status}`);
    } catch {
      setError(t("unreachable"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn" disabled={busy} onClick={retry} data-testid="archive-retry">
        {t("retry")}
      </button>
      {error && <p role="alert" className="text-sm text-red-700 dark:text-red-400">{error}</p>}
    </>
  );
}
