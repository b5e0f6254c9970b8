// What a new user sees before the first video: the one thing to do, with the URL to paste.
import { getTranslations } from "next-intl/server";
import { callbackUrl } from "./callback-url";
import { CopyButton } from "./copy-button";

export async function EmptyState({ title, filtered = false }: { title?: string; filtered?: boolean }) {
  const t = await getTranslations("empty");
  if (filtered) {
    return (
      <div className="card p-8 text-center">
        <p className="text-lg font-medium">{t("filteredTitle")}</p>
        <p className="mt-1 muted">{t("filteredHint")}</p>
      </div>
    );
  }
  const url = await callbackUrl();
  return (
    <div className="card p-8 text-center" data-testid="empty-state">
      <p className="text-lg font-medium">{title ?? t("title")}</p>
      <p className="mt-1 muted">{t("paste")}</p>
      <div className="mx-auto mt-4 flex max-w-xl flex-wrap items-center justify-center gap-2">
        <code className="rounded bg-zinc-100 px-3 py-2 font-mono text-sm break-all dark:bg-zinc-900" data-testid="callback-url">
          {url}
        </code>
        <CopyButton text={url} label={t("copy")} />
      </div>
      <p className="mt-3 text-sm muted">
        {t("tryIt")} <code className="font-mono">curl -X POST -H &apos;Content-Type: application/json&apos; -d @example.json {url}</code>
      </p>
    </div>
  );
}
