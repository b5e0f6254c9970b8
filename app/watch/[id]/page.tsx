// A bare player page for one video: the player, its download button, and the preview image the
// chat showed. The dashboard's /videos/<id> is the full page; this one is for watching (and the
// media e2e test).
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { DownloadButton } from "@/components/media/download-button";
import { PreviewImage } from "@/components/media/preview-image";
import { VideoPlayer } from "@/components/media/video-player";
import { db } from "@/lib/db/client";
import { getVideo } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: (await getTranslations("video"))("pageTitle", { id: (await params).id.slice(0, 20) }) };
}

export default async function WatchPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const video = await getVideo(db(), id);
  if (!video) notFound();
  const t = await getTranslations("media");
  return (
    <main className="mx-auto flex max-w-3xl flex-col items-start gap-3 p-6">
      <h1 className="text-lg font-semibold">
        {video.fromNickName ?? video.fromWxId} · {t("seconds", { count: video.duration })}
      </h1>
      <VideoPlayer videoId={video.id} width={video.width} height={video.height} />
      <DownloadButton videoId={video.id} />
      <figure className="w-32">
        <PreviewImage videoId={video.id} width={video.width} height={video.height} alt={t("previewOf", { sender: video.fromNickName ?? video.fromWxId })} />
        <figcaption className="mt-1 text-xs text-zinc-500">{t("previewCaption")}</figcaption>
      </figure>
    </main>
  );
}
