"use client";
// A page that failed, inside our header, in the reader's language. Server errors reach the browser
// without their message (production), so the page asks /api/health what is wrong: with the
// database down it says so, and how many deliveries are safe in the spool meanwhile.
import { useEffect, useState } from "react";
import { useTranslations } from "next-intl";

type Health = { database?: string; spoolDepth?: number };

export default function ErrorPage({ error, retry, reset }: { error: unknown; retry?: () => void; reset?: () => void }) {
  const t = useTranslations("status");
  const [health, setHealth] = useState<Health | null>(null);
  useEffect(() => {
    let live = true;
    fetch("/api/health", { cache: "no-store" })
      .then((res) => res.json() as Promise<Health>)
      .then((h) => live && setHealth(h))
      .catch(() => live && setHealth({}));
    return () => {
      live = false;
    };
  }, [error]);
  const databaseDown = health !== null && health.database !== undefined && health.database !== "ok";
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  const again = retry ?? reset ?? (() => window.location.reload());
  return (
    <div className="space-y-3" data-testid="error-page" data-database={health === null ? "checking" : databaseDown ? "down" : "ok"}>
      <h1 className="text-2xl font-semibold">{databaseDown ? t("databaseDown") : t("errorTitle")}</h1>
      <div role="alert" className="space-y-2">
        <p>{databaseDown ? t("databaseDownBody") : t("errorBody")}</p>
        {databaseDown ? (
          <p data-testid="spooled">{t("spooled", { count: health.spoolDepth ?? 0 })}</p>
        ) : null}
      </div>
      <button type="button" className="btn" onClick={() => again()}>
        {t("retry")}
      </button>
      {digest ? (
        <p className="text-xs muted">
          {t("reference")} <code data-data>{digest}</code>
        </p>
      ) : null}
    </div>
  );
}
