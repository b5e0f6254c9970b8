// Keyset paging: "Older" carries the cursor, "Newest" drops it. No page numbers: counting a
// million rows to number pages is what makes lists slow.
import Link from "next/link";
import { useTranslations } from "next-intl";

/** `ordered`: "time" for lists newest first ("Older videos"), "name" for lists in another order ("More robots"). */
export function Pager({ base, query, nextCursor, isFirst, noun = "videos", ordered = "time" }: { base: string; query: string; nextCursor: string | null; isFirst: boolean; noun?: "videos" | "senders" | "conversations" | "deliveries" | "robots"; ordered?: "time" | "name" }) {
  const t = useTranslations("pager");
  const byTime = ordered === "time";
  if (isFirst && !nextCursor) return null;
  const sep = query ? "&" : "";
  return (
    <nav aria-label={t("pages")} className="mt-6 flex items-center justify-between gap-2">
      {isFirst ? <span /> : (
        <Link href={`${base}${query ? `?${query}` : ""}`} className="btn">
          <span aria-hidden="true">←</span> {byTime ? t("newest", { noun: t(noun) }) : t("first")}
        </Link>
      )}
      {nextCursor ? (
        <Link href={`${base}?${query}${sep}cursor=${encodeURIComponent(nextCursor)}`} className="btn" rel="next">
          {byTime ? t("older", { noun: t(noun) }) : t("more", { noun: t(noun) })} <span aria-hidden="true">→</span>
        </Link>
      ) : (
        <span className="text-sm muted">{byTime ? t("end") : t("allShown")}</span>
      )}
    </nav>
  );
}
