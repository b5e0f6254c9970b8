// The searched text, marked wherever it occurs in a sender's name, id or conversation.
import { highlightParts } from "@/lib/pages/match";

export function Highlighted({ text, term }: { text: string; term?: string }) {
  return (
    <>
      {highlightParts(text, term).map((p, i) =>
        p.match ? (
          <mark key={i} data-data className="rounded-sm bg-amber-200 px-0 text-inherit dark:bg-amber-700/60" data-testid="search-match">
            {p.text}
          </mark>
        ) : (
          p.text
        ),
      )}
    </>
  );
}
