import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { BarChart } from "@/components/bar-chart";
import { IdText } from "@/components/id-text";
import { LabelEditor } from "@/components/label-editor";
import { LiveRefresh } from "@/components/live/live-refresh";
import { RelativeTime } from "@/components/relative-time";
import { RobotState } from "@/components/robots/robot-state";
import { TableHead } from "@/components/table-head";
import { decodeSegment } from "@/lib/pages/params";
import { config } from "@/lib/config";
import { db } from "@/lib/db/client";
import { getLabel } from "@/lib/labels/labels";
import { getRobot } from "@/lib/robots/list";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ robotId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const t = await getTranslations("robots");
  const robotId = decodeSegment((await params).robotId);
  return { title: `${(await getLabel(db(), "robot", robotId)) ?? robotId} · ${t("title")}` };
}

export default async function RobotPage({ params }: Params) {
  const robotId = decodeSegment((await params).robotId);
  const [t, robot] = await Promise.all([getTranslations("robots"), getRobot(db(), robotId, { silentAfterMs: config().ROBOT_SILENT_AFTER })]);
  if (!robot) notFound();
  return (
    <div className="space-y-4">
      <LiveRefresh pill={false} />
      <div className="flex flex-wrap items-center gap-3">
        {robot.label ? (
          <h1 className="text-2xl font-semibold break-all" data-testid="robot-title" data-data>{robot.label}</h1>
        ) : (
          <h1 className="font-mono text-2xl font-semibold break-all" data-testid="robot-title" data-data>{robot.robotId}</h1>
        )}
        <RobotState state={robot.state} silentSince={robot.silentSince} />
      </div>
      <IdText id={robot.robotId} className="muted" />
      <LabelEditor kind="robot" id={robot.robotId} label={robot.label} />
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        <div className="card p-3">
          <dt className="text-xs font-medium muted">{t("lastCallback")}</dt>
          <dd className="mt-1 font-medium" data-testid="robot-last-callback"><RelativeTime iso={robot.lastCallbackAt} /></dd>
        </div>
        <div className="card p-3">
          <dt className="text-xs font-medium muted">{t("lastVideo")}</dt>
          <dd className="mt-1 font-medium">{robot.lastVideoAt ? <RelativeTime iso={robot.lastVideoAt} /> : t("never")}</dd>
        </div>
        <div className="card p-3">
          <dt className="text-xs font-medium muted">{t("instances")}</dt>
          <dd className="mt-1 font-medium">{robot.instances.length}</dd>
        </div>
      </dl>
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
        <BarChart title={t("callbacksPerHour")} unit="callbacks" labels="hour" buckets={robot.hourly.map((h) => ({ start: h.start, count: h.callbacks }))} />
        <BarChart title={t("videosPerHour")} unit="videos" labels="hour" buckets={robot.hourly.map((h) => ({ start: h.start, count: h.videos }))} />
      </div>
      {/* Focusable: on a phone the table scrolls sideways, and a keyboard must reach it (axe scrollable-region-focusable). */}
      <section className="card overflow-x-auto" aria-labelledby="instances-title" tabIndex={0}>
        <h2 id="instances-title" className="px-3 pt-3 font-medium">{t("instances")}</h2>
        <table className="w-full text-left text-sm">
            <TableHead labels={[t("instance"), t("state"), t("lastCallback"), t("lastVideo")]} />
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {robot.instances.map((i) => (
              <tr key={i.instanceId} data-testid="instance-row">
                <td className="px-3 py-2 font-mono text-xs">{i.instanceId || "—"}</td>
                <td className="px-3 py-2"><RobotState state={i.state} silentSince={i.silentSince} /></td>
                <td className="px-3 py-2 whitespace-nowrap"><RelativeTime iso={i.lastCallbackAt} /></td>
                <td className="px-3 py-2 whitespace-nowrap">{i.lastVideoAt ? <RelativeTime iso={i.lastVideoAt} /> : t("never")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Link href={`/videos?robotId=${encodeURIComponent(robot.robotId)}`} className="link text-sm">{t("videosOf")} →</Link>
    </div>
  );
}
