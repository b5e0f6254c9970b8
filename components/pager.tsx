// Keyset paging: "Older" carries the cursor, "Newest" drops it. No page numbers: counting a
// million rows to number pages is what makes lists slow.
import Link from "next/link";
import { useTranslations } from "next-intl";

export function Pager({ base, query, nextCursor, isFirst, noun = "videos" }: { base: string; query: string; nextCursor: string | null; isFirst: boolean; noun?: "videos" | "senders" | "conversations" | "deliveries" }) {
  const t = useTranslations("pager");
  if (isFirst && !nextCursor) return null;
  const sep = query ? "&" : "";
  return (
    <nav aria-label={t("pages")} className="mt-6 flex items-center justify-between gap-2">
      {isFirst ? <span /> : (
        <Link href={`${base}${query ? `?${query}` : ""}`} className="btn">
          <span aria-hidden="true">←</span> {t("newest", { noun: t(noun) })}
        </Link>
      )}
      {nextCursor ? (
        <Link href={`${base}?${query}${sep}cursor=${encodeURIComponent(nextCursor)}`} className="btn" rel="next">
          {t("older", { noun: t(noun) })} <span aria-hidden="true">→</span>
        </Link>
      ) : (
        <span className="text-sm muted">{t("end")}</span>
      )}
    </nav>
  );
}
