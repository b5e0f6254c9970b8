// A page URL with bad filters: say which and why, and offer a way out.
import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ParamError } from "@/lib/params";

export function ParamErrorNotice({ error, resetHref }: { error: ParamError; resetHref: string }) {
  const t = useTranslations("paramError");
  const w = useTranslations("plain");
  return (
    <div role="alert" data-testid="param-error" className="rounded-lg border border-red-300 bg-red-50 p-4 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <p className="font-medium">{t("title")}</p>
      <ul className="mt-2 list-disc pl-5 text-sm">
        {(error.issues.length ? error.issues : [{ path: "", message: error.message }]).map((i, n) => (
          <li key={n}>
            {i.path && <code className="font-mono">{i.path}</code>}
            {i.path && ": "}
            {/* A sentence for people; the check's own words (English, as the API answers) as the detail. */}
            {w("badValue")} <span data-data className="muted">({i.message})</span>
          </li>
        ))}
      </ul>
      <Link href={resetHref} className="mt-3 inline-block font-medium underline">
        {t("clear")}
      </Link>
    </div>
  );
}
