import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { LiveRefresh } from "@/components/live/live-refresh";
import { RelativeTime } from "@/components/relative-time";
import { RobotState } from "@/components/robots/robot-state";
import { TableHead } from "@/components/table-head";
import { config } from "@/lib/config";
import { pool } from "@/lib/db/client";
import { formatTotalDuration } from "@/lib/format/durations";
import { pathSegment } from "@/lib/format/format";
import { listRobots } from "@/lib/robots/list";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("robots"))("title") };
}

export default async function RobotsPage() {
  const [t, format] = await Promise.all([getTranslations("robots"), getFormatter()]);
  const silentAfterMs = config().ROBOT_SILENT_AFTER;
  const robots = await listRobots(pool(), { silentAfterMs });
  return (
    <div className="space-y-4">
      <LiveRefresh />
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="text-sm muted">{t("intro", { after: formatTotalDuration(format, silentAfterMs / 1000) })}</p>
      </div>
      {robots.length === 0 ? (
        <p className="card p-8 text-center muted">{t("empty")}</p>
      ) : (
        <div className="card overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("caption")}</caption>
            <TableHead labels={[t("robot"), t("state"), t("instances"), t("lastCallback"), t("lastVideo")]} />
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {robots.map((r) => (
                <tr key={r.robotId} data-testid="robot-row">
                  <td className="px-3 py-2"><Link href={`/robots/${pathSegment(r.robotId)}`} className="link font-mono">{r.robotId}</Link></td>
                  <td className="px-3 py-2"><RobotState state={r.state} silentSince={r.silentSince} /></td>
                  <td className="px-3 py-2 font-mono text-xs">{r.instanceIds.join(", ") || "—"}</td>
                  <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={r.lastCallbackAt} /></td>
                  <td className="px-3 py-2 whitespace-nowrap">{r.lastVideoAt ? <RelativeTime iso={r.lastVideoAt} /> : t("never")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
