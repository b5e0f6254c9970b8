import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConversationBadge, DirectionBadge } from "@/components/conversation-badge";
import { getFormatter, getTranslations } from "next-intl/server";
import { DeleteButton } from "@/components/delete-button";
import { formatExact } from "@/lib/format/durations";
import { formatBytes, formatDuration, pathSegment, urlHost } from "@/lib/format/format";
import { JsonTree } from "@/components/json-tree";
import { KeyboardNav } from "@/components/keyboard-nav";
import { DownloadButton } from "@/components/media/download-button";
import { VideoPlayer } from "@/components/media/video-player";
import { RelativeTime } from "@/components/relative-time";
import { senderName } from "@/components/videos/video-card";
import { pool } from "@/lib/db/client";
import { adjacentVideos } from "@/lib/overview/adjacent";
import { getVideo } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await getTranslations("video"))("pageTitle", { id: (await params).id.slice(0, 20) }) };
}

export default async function VideoPage({ params }: Props) {
  const { id } = await params;
  const [video, adjacent] = await Promise.all([getVideo(pool(), id), adjacentVideos(pool(), id)]);
  if (!video) notFound();
  const [t, format] = await Promise.all([getTranslations("video"), getFormatter()]);
  const exact = (iso: string) => formatExact(format, iso);
  const cdnTypeName = (cdnType: number) => (cdnType === 2 ? t("cdnC2c") : cdnType === 3 ? t("cdnBig") : t("cdnOther", { cdnType }));
  const previous = adjacent.newer ? `/videos/${adjacent.newer}` : null;
  const next = adjacent.older ? `/videos/${adjacent.older}` : null;
  const cdn = video.cdnData;

  const fields: [string, React.ReactNode][] = [
    ["id", video.id],
    ["fromWxId", <Link key="s" href={`/senders/${pathSegment(video.fromWxId)}`} className="link font-mono">{video.fromWxId || "—"}</Link>],
    ["fromNickName", video.fromNickName ?? "—"],
    ["conversationId", <Link key="c" href={`/conversations/${pathSegment(video.conversationId)}`} className="link font-mono">{video.conversationId || "—"}</Link>],
    ["toWxId", video.toWxId ?? "—"],
    ["messageSource", `${video.messageSource} (${video.direction === "out" ? t("sentByRobot") : t("received")})`],
    ["duration", `${formatDuration(video.duration)} (${video.duration} s)`],
    ["width × height", `${video.width} × ${video.height}`],
    ["sendTime", exact(video.sendTime)],
    ["receivedAt", exact(video.receivedAt)],
    ["eventTime", video.eventTime ? exact(video.eventTime) : "—"],
    ["description", video.description ?? "—"],
    ["robotId", video.robotId],
    ["instanceId", video.instanceId || "—"],
    ["serverId", video.serverId ?? "—"],
    ["localId", video.localId ?? "—"],
    ["messageType", video.messageType ?? "—"],
    ["appInfo", video.appInfo ?? "—"],
    ["isPc", video.isPc ?? "—"],
  ];
  const cdnFields: [string, React.ReactNode][] = [
    ["cdnType", `${video.cdnType} (${cdnTypeName(video.cdnType)})`],
    ["md5", cdn.md5 ?? "—"],
    ["size", cdn.size === null ? "—" : `${formatBytes(cdn.size)} (${t("bytes", { count: cdn.size })})`],
    ["file_name", cdn.file_name ?? "—"],
    [t("videoHost"), urlHost(cdn.url)],
    [t("previewHost"), urlHost(cdn.preview_img_url)],
    [t("previewSize"), formatBytes(cdn.preview_img_size)],
    [t("previewDimensions"), cdn.width && cdn.height ? `${cdn.width} × ${cdn.height}` : "—"],
    ["aes_key / auth_key", cdn.aes_key || cdn.auth_key ? t("keysHidden") : t("keysAbsent")],
  ];

  return (
    <article className="space-y-6">
      <KeyboardNav previous={previous} next={next} />
      <nav aria-label={t("adjacentNav")} className="flex items-center justify-between gap-2 text-sm">
        <Link href="/videos" className="link">← {t("allVideos")}</Link>
        <div className="flex gap-2">
          {previous ? <Link href={previous} className="btn" aria-keyshortcuts="ArrowLeft" title={t("newerTitle")}>← {t("newer")}</Link> : <span className="btn opacity-50" aria-disabled="true">← {t("newer")}</span>}
          {next ? <Link href={next} className="btn" aria-keyshortcuts="ArrowRight" title={t("olderTitle")}>{t("older")} →</Link> : <span className="btn opacity-50" aria-disabled="true">{t("older")} →</span>}
        </div>
      </nav>
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold break-words">
          {t.rich("heading", { sender: () => <span data-testid="sender-nickname">{senderName(video)}</span> })}
        </h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <ConversationBadge kind={video.conversationKind} />
          <Link href={`/conversations/${pathSegment(video.conversationId)}`} className="link font-mono">{video.conversationId || "—"}</Link>
          <DirectionBadge direction={video.direction} />
          <span className="muted">·</span>
          <RelativeTime iso={video.sendTime} className="muted" />
          <span className="muted">·</span>
          <span className="font-mono">{formatDuration(video.duration)}</span>
        </div>
      </header>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
        <div className="space-y-3">
          <VideoPlayer videoId={video.id} width={video.width} height={video.height} />
          <div className="flex flex-wrap gap-2">
            <DownloadButton videoId={video.id} />
            <Link href={`/videos?fromWxId=${encodeURIComponent(video.fromWxId)}`} className="btn">{t("moreFromSender")}</Link>
            <Link href={`/videos?conversationId=${encodeURIComponent(video.conversationId)}`} className="btn">{t("moreInConversation")}</Link>
            <DeleteButton kind="video" endpoint={`/api/videos/${encodeURIComponent(video.id)}`} then="/videos" />
          </div>
        </div>
        <div className="space-y-6">
          <Section title={t("message")} rows={fields} />
          <Section title={t("cdnMetadata")} rows={cdnFields} />
        </div>
      </div>
      <section aria-labelledby="raw-title" className="card p-4">
        <h2 id="raw-title" className="mb-2 text-lg font-medium">{t("raw")}</h2>
        <p className="mb-2 text-sm muted">{t("rawExplain")}</p>
        <div className="overflow-x-auto font-mono text-sm" data-testid="raw-payload">
          <JsonTree value={video.raw} label="envelope" />
        </div>
      </section>
    </article>
  );
}

function Section({ title, rows }: { title: string; rows: [string, React.ReactNode][] }) {
  return (
    <section className="card p-4">
      <h2 className="mb-2 text-lg font-medium">{title}</h2>
      <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-mono muted">{k}</dt>
            <dd className="break-words">{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
