import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConversationBadge, DirectionBadge } from "@/components/conversation-badge";
import { ConversationLink } from "@/components/conversation-link";
import { RobotLink } from "@/components/robots/robot-link";
import { getFormatter, getTranslations } from "next-intl/server";
import { ArchiveStatus } from "@/components/archive/archive-status";
import { DeleteButton } from "@/components/delete-button";
import { formatExact } from "@/lib/format/durations";
import { formatBytes, formatDuration, pathSegment, urlHost, videoHref } from "@/lib/format/format";
import { JsonTree } from "@/components/json-tree";
import { KeyboardNav } from "@/components/keyboard-nav";
import { DownloadButton } from "@/components/media/download-button";
import { VideoPlayer } from "@/components/media/video-player";
import { RelativeTime } from "@/components/relative-time";
import { senderName } from "@/components/videos/video-card";
import { db } from "@/lib/db/client";
import { backHref, contextFilters, contextQuery, parseVideoContext } from "@/lib/pages/video-context";
import { toURLSearchParams, type SearchParams } from "@/lib/pages/params";
import type en from "@/messages/en.json";
import { getVideo } from "@/lib/videos/list";
import { neighbourVideos } from "@/lib/videos/neighbours";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: SearchParams };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await getTranslations("video"))("pageTitle", { id: (await params).id.slice(0, 20) }) };
}

export default async function VideoPage({ params, searchParams }: Props) {
  const { id } = await params;
  // The list it was opened from (a conversation, a sender, a search): ← →, older/newer and back stay in it.
  const context = parseVideoContext(await toURLSearchParams(searchParams));
  const [video, adjacent] = await Promise.all([getVideo(db(), id), neighbourVideos(db(), id, contextFilters(context))]);
  if (!video) notFound();
  const [t, tw, f, format] = await Promise.all([getTranslations("video"), getTranslations("watch"), getTranslations("plain.fields"), getFormatter()]);
  const exact = (iso: string) => formatExact(format, iso);
  const cdnTypeName = (cdnType: number) => (cdnType === 2 ? t("cdnC2c") : cdnType === 3 ? t("cdnBig") : t("cdnOther", { cdnType }));
  const inContext = (neighbour: string | null) => (neighbour ? videoHref(neighbour, contextQuery(context)) : null);
  const newer = { href: inContext(adjacent.newer), label: t("newer"), title: t("newerTitle") };
  const older = { href: inContext(adjacent.older), label: t("older"), title: t("olderTitle") };
  // Left and right in the order the list is watched: newest first, or oldest first (order=asc).
  const [left, right] = context.kind === "conversation" && context.order === "asc" ? [older, newer] : [newer, older];
  const back = backHref(context);
  const backLabel = context.kind === "all" ? t("allVideos") : tw(`back.${context.kind}`);
  const cdn = video.cdnData;

  // A label in the reader's language; the payload's own name (what the API and exports call it) beside it.
  const field = (name: PayloadField, value: React.ReactNode): Row => [f(name), value, name];
  const fields: Row[] = [
    field("id", video.id),
    field("fromWxId", <Link key="s" href={`/senders/${pathSegment(video.fromWxId)}`} className="link font-mono">{video.fromWxId || "—"}</Link>),
    field("fromNickName", video.fromNickName ?? "—"),
    field("conversationId", <ConversationLink key="c" conversationId={video.conversationId} kind={video.conversationKind} name={video.conversationName} />),
    field("toWxId", video.toWxId ?? "—"),
    field("messageSource", `${video.messageSource} (${video.direction === "out" ? t("sentByRobot") : t("received")})`),
    field("duration", `${formatDuration(video.duration)} (${video.duration} s)`),
    [f("dimensions"), `${video.width} × ${video.height}`, "width × height"],
    field("sendTime", exact(video.sendTime)),
    field("receivedAt", exact(video.receivedAt)),
    field("eventTime", video.eventTime ? exact(video.eventTime) : "—"),
    field("description", video.description ?? "—"),
    field("robotId", <RobotLink key="r" robotId={video.robotId} label={video.robotLabel} />),
    field("instanceId", video.instanceId || "—"),
    field("serverId", video.serverId ?? "—"),
    field("localId", video.localId ?? "—"),
    field("messageType", video.messageType ?? "—"),
    field("appInfo", video.appInfo ?? "—"),
    field("isPc", video.isPc ?? "—"),
  ];
  const cdnFields: Row[] = [
    field("cdnType", `${video.cdnType} (${cdnTypeName(video.cdnType)})`),
    field("md5", cdn.md5 ?? "—"),
    field("size", cdn.size === null ? "—" : `${formatBytes(cdn.size)} (${t("bytes", { count: cdn.size })})`),
    field("file_name", cdn.file_name ?? "—"),
    [t("videoHost"), urlHost(cdn.url)],
    [t("previewHost"), urlHost(cdn.preview_img_url)],
    [t("previewSize"), formatBytes(cdn.preview_img_size)],
    [t("previewDimensions"), cdn.width && cdn.height ? `${cdn.width} × ${cdn.height}` : "—"],
    [f("keys"), cdn.aes_key || cdn.auth_key ? t("keysHidden") : t("keysAbsent"), "aes_key / auth_key"],
  ];

  return (
    <article className="space-y-6">
      <KeyboardNav previous={left.href} next={right.href} />
      <nav aria-label={t("adjacentNav")} className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <Link href={back} className="link" data-testid="video-back">← {backLabel}</Link>
        <div className="flex gap-2">
          {left.href ? <Link href={left.href} className="btn" aria-keyshortcuts="ArrowLeft" title={left.title} data-testid="video-left">← {left.label}</Link> : <span className="btn opacity-50" aria-disabled="true">← {left.label}</span>}
          {right.href ? <Link href={right.href} className="btn" aria-keyshortcuts="ArrowRight" title={right.title} data-testid="video-right">{right.label} →</Link> : <span className="btn opacity-50" aria-disabled="true">{right.label} →</span>}
        </div>
      </nav>
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold break-words">
          {t.rich("heading", { sender: () => <span data-testid="sender-nickname">{senderName(video)}</span> })}
        </h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <ConversationBadge kind={video.conversationKind} />
          <ConversationLink conversationId={video.conversationId} kind={video.conversationKind} name={video.conversationName} />
          <DirectionBadge direction={video.direction} />
          <span className="muted">·</span>
          <RelativeTime iso={video.sendTime} className="muted" />
          <span className="muted">·</span>
          <span className="font-mono">{formatDuration(video.duration)}</span>
        </div>
      </header>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
        <div className="space-y-3">
          <VideoPlayer videoId={video.id} width={video.width} height={video.height} />
          <ArchiveStatus videoId={video.id} archive={video.archive} />
          <div className="flex flex-wrap gap-2">
            <DownloadButton videoId={video.id} />
            <Link href={`/videos?fromWxId=${encodeURIComponent(video.fromWxId)}`} className="btn">{t("moreFromSender")}</Link>
            <Link href={`/videos?conversationId=${encodeURIComponent(video.conversationId)}`} className="btn">{t("moreInConversation")}</Link>
            <DeleteButton kind="video" endpoint={`/api/videos/${encodeURIComponent(video.id)}`} then={back} senders={[senderName(video)]} />
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
        <div className="overflow-x-auto font-mono text-sm" data-testid="raw-payload" data-data>
          <JsonTree value={video.raw} label="envelope" />
        </div>
      </section>
    </article>
  );
}

type PayloadField = Exclude<keyof (typeof en)["plain"]["fields"], "dimensions" | "keys">;
/** A field's label, its value, and the payload's name for it (secondary text, as data). */
type Row = [string, React.ReactNode, string?];

function Section({ title, rows }: { title: string; rows: Row[] }) {
  return (
    <section className="card p-4">
      <h2 className="mb-2 text-lg font-medium">{title}</h2>
      <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
        {rows.map(([label, v, name]) => (
          <div key={label} className="contents">
            <dt className="muted">
              {label}
              {name ? <code data-data className="block text-xs">{name}</code> : null}
            </dt>
            <dd className="break-words">{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
