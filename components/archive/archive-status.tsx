// The video page's archive section: the state of the video and its preview, why a file was
// not kept, and Retry for expired or failed ones.
import { useTranslations } from "next-intl";
import type { VideoArchive } from "@/lib/media/archive-state";
import { ArchiveBadge } from "./archive-badge";
import { RetryArchiveButton } from "./retry-archive-button";

export function ArchiveStatus({ videoId, archive }: { videoId: string; archive: VideoArchive }) {
  const t = useTranslations("archive");
  const kinds = (["video", "preview"] as const).filter((k) => archive[k] !== null);
  if (kinds.length === 0) return null;
  const retryable = kinds.some((k) => archive[k]?.state === "expired" || archive[k]?.state === "failed");
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="archive-status">
      {kinds.map((kind) => {
        const status = archive[kind]!;
        const why = status.state === "expired" || status.state === "failed" || status.state === "pending" ? status.error ?? undefined : undefined;
        return (
          <span key={kind} className="inline-flex items-center gap-1" data-kind={kind}>
            <span className="muted">{t(`kind.${kind}`)}</span>
            <ArchiveBadge state={status.state} title={why} />
          </span>
        );
      })}
      {retryable && <RetryArchiveButton videoId={videoId} />}
    </div>
  );
}
