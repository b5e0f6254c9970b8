// The overview's strip: every robot and its state at a glance, silent ones first.
import Link from "next/link";
import { useTranslations } from "next-intl";
import type { Robot } from "@/lib/robots/list";
import { pathSegment } from "@/lib/format/format";
import { RobotState } from "./robot-state";

const SHOWN = 12;

export function RobotStrip({ robots }: { robots: Robot[] }) {
  const t = useTranslations("robots");
  if (robots.length === 0) return null;
  return (
    <section aria-labelledby="robots-strip" className="card flex flex-wrap items-center gap-2 p-3" data-testid="robot-strip">
      <h2 id="robots-strip" className="mr-1 text-sm font-medium">{t("strip")}</h2>
      <ul className="flex flex-wrap gap-2">
        {robots.slice(0, SHOWN).map((r) => (
          <li key={r.robotId} className="flex items-center gap-1.5 text-sm">
            <Link href={`/robots/${pathSegment(r.robotId)}`} className="link font-mono">{r.robotId}</Link>
            <RobotState state={r.state} silentSince={r.silentSince} />
          </li>
        ))}
      </ul>
      <Link href="/robots" className="link ml-auto text-sm">{t("allRobots")} →</Link>
    </section>
  );
}
