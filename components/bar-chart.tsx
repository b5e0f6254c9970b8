// A small bar chart in SVG, drawn on the server. Each bar has its figure as a tooltip, and the
// whole chart a text alternative for screen readers. Bars are labelled in the dashboard's zone.
import { useFormatter, useTranslations } from "next-intl";
import type { Bucket } from "@/lib/overview/summary";

const LABELS = {
  hour: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  day: { day: "numeric", month: "short" },
} as const;

export function BarChart({ title, buckets, labels, unit = "videos" }: { title: string; buckets: Bucket[]; labels: "hour" | "day"; unit?: "videos" | "callbacks" }) {
  const t = useTranslations("chart");
  const format = useFormatter();
  const label = (start: string) => format.dateTime(new Date(start), LABELS[labels]);
  const count = (n: number) => t(unit, { count: n });
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const width = 100 / buckets.length;
  const peak = buckets.reduce((a, b) => (b.count > a.count ? b : a), buckets[0]);
  return (
    <figure className="card p-4">
      <figcaption className="mb-3 flex items-baseline justify-between gap-2">
        <span className="font-medium">{title}</span>
        <span className="text-sm muted">{count(total)}</span>
      </figcaption>
      <svg
        viewBox="0 0 100 40"
        preserveAspectRatio="none"
        className="h-32 w-full"
        role="img"
        aria-label={peak && peak.count > 0 ? t("summaryPeak", { title, total: count(total), peak: count(peak.count), at: label(peak.start) }) : t("summary", { title, total: count(total) })}
      >
        {buckets.map((b, i) => {
          const h = (b.count / max) * 38;
          return (
            <rect
              key={b.start}
              x={i * width + width * 0.1}
              y={40 - Math.max(h, b.count > 0 ? 0.8 : 0.3)}
              width={width * 0.8}
              height={Math.max(h, b.count > 0 ? 0.8 : 0.3)}
              className={b.count > 0 ? "fill-sky-600 dark:fill-sky-500" : "fill-zinc-300 dark:fill-zinc-700"}
            >
              <title>{`${label(b.start)}: ${count(b.count)}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="mt-1 flex justify-between text-xs muted" aria-hidden="true">
        <span>{label(buckets[0].start)}</span>
        <span>{label(buckets[buckets.length - 1].start)}</span>
      </div>
    </figure>
  );
}
