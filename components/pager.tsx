// Keyset paging: "Older" carries the cursor, "Newest" drops it. No page numbers: counting a
// million rows to number pages is what makes lists slow.
import Link from "next/link";

export function Pager({ base, query, nextCursor, isFirst, noun = "videos" }: { base: string; query: string; nextCursor: string | null; isFirst: boolean; noun?: string }) {
  if (isFirst && !nextCursor) return null;
  const sep = query ? "&" : "";
  return (
    <nav aria-label="Pages" className="mt-6 flex items-center justify-between gap-2">
      {isFirst ? <span /> : (
        <Link href={`${base}${query ? `?${query}` : ""}`} className="btn">
          <span aria-hidden="true">←</span> Newest {noun}
        </Link>
      )}
      {nextCursor ? (
        <Link href={`${base}?${query}${sep}cursor=${encodeURIComponent(nextCursor)}`} className="btn" rel="next">
          Older {noun} <span aria-hidden="true">→</span>
        </Link>
      ) : (
        <span className="text-sm muted">The end: nothing older.</span>
      )}
    </nav>
  );
}
