// The overview's strip: how many robots there are and how many are silent, and the first silent
// ones by name (an operator's label, else the id; the id on hover). Only a handful of ids is ever shown, each cut to the strip's width, so that neither
// a fleet of hundreds nor a long id makes the overview wider than a phone.
import Link from "next/link";
import { useTranslations } from "next-intl";
import type { Robot, RobotCounts } from "@/lib/robots/list";
import { pathSegment } from "@/lib/format/format";
import { RobotState } from "./robot-state";

/** Silent robots named on the overview. */
export const STRIP_SILENT_SHOWN = 6;

export function RobotStrip({ counts, silent }: { counts: RobotCounts; silent: Robot[] }) {
  const t = useTranslations("robots");
  if (counts.total === 0) return null;
  const more = counts.silent - silent.length;
  return (
    <section aria-labelledby="robots-strip" className="card flex min-w-0 flex-wrap items-center gap-2 p-3" data-testid="robot-strip">
      <h2 id="robots-strip" className="mr-1 text-sm font-medium">{t("strip")}</h2>
      <span className="text-sm" data-testid="robot-strip-summary" data-silent={counts.silent} data-total={counts.total}>
        {counts.silent === 0 ? t("stripAllActive", { total: counts.total }) : t("stripSilent", { silent: counts.silent, total: counts.total })}
      </span>
      {silent.length > 0 && (
        <ul className="flex min-w-0 max-w-full flex-wrap gap-2">
          {silent.map((r) => (
            <li key={r.robotId} className="flex min-w-0 max-w-full items-center gap-1.5 text-sm">
              <Link href={`/robots/${pathSegment(r.robotId)}`} className={`link min-w-0 max-w-48 truncate ${r.label ? "" : "font-mono"}`} title={r.robotId} data-data>{r.label ?? r.robotId}</Link>
              <RobotState state={r.state} silentSince={r.silentSince} />
            </li>
          ))}
        </ul>
      )}
      {more > 0 && <Link href="/robots?state=silent" className="link text-sm">{t("moreSilent", { count: more })}</Link>}
      <Link href="/robots" className="link ml-auto text-sm">{t("allRobots")} →</Link>
    </section>
  );
}
