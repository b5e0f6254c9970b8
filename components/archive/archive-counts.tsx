// The overview's archive counts: videos kept, waiting, expired and failed, each a link to that filter.
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ArchiveCounts as Counts } from "@/lib/media/archive-state";
import { ARCHIVE_STATES } from "@/lib/media/archive-states";

export async function ArchiveCounts({ counts }: { counts: Counts }) {
  const [t, format] = await Promise.all([getTranslations("archive"), getFormatter()]);
  return (
    <section aria-labelledby="archive-counts-title" className="card p-3" data-testid="archive-counts">
      <h2 id="archive-counts-title" className="text-xs font-medium muted">{t("overviewTitle")}</h2>
      <dl className="mt-1 grid grid-cols-2 gap-2 sm:grid-cols-4">
        {ARCHIVE_STATES.map((s) => (
          <div key={s}>
            <dt className="text-xs muted">
              <Link href={`/videos?archive=${s}`} className="hover:underline">{t(`state.${s}`)}</Link>
            </dt>
            <dd className="text-lg font-semibold tabular-nums" data-testid={`archive-count-${s}`}>{format.number(counts[s])}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
