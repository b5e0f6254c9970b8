// Downloads the decrypted video through the media proxy (Content-Disposition: attachment).
import { useTranslations } from "next-intl";

export function DownloadButton({ videoId }: { videoId: string }) {
  const t = useTranslations("media");
  return (
    <a
      href={`/api/media/${videoId}/video?download=1`}
      download
      rel="noreferrer"
      className="inline-flex items-center gap-1.5 rounded border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 dark:border-zinc-700 dark:hover:bg-zinc-800"
    >
      <span aria-hidden="true">⬇</span> {t("download")}
    </a>
  );
}
