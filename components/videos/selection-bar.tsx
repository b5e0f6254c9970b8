"use client";
// What the reader picked on a list of videos, and what can be done with it: export those videos
// (the CSV the page's own export link gives, for those ids only) or delete them, after a
// confirmation. After a delete the reader stays where they were (the same list, filters, order and
// page) and the page says what went (components/deleted-notice.tsx).
import { usePathname, useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useTranslations } from "next-intl";
import type { VideoListItem } from "@/lib/videos/item";
import { rememberDeleted } from "../deleted-notice";
import { ExportDownload } from "../export-download";
import { senderName } from "./video-card";

export function SelectionBar({ selected, pageCount, onSelectPage, onClear, onDeleted }: {
  selected: VideoListItem[];
  /** How many videos the page shows: "select all" is offered while fewer are chosen. */
  pageCount: number;
  onSelectPage: () => void;
  onClear: () => void;
  onDeleted: (ids: string[]) => void;
}) {
  const t = useTranslations("selection");
  const common = useTranslations("delete");
  const router = useRouter();
  const pathname = usePathname();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const count = selected.length;
  const ids = selected.map((v) => v.id).join(",");

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/videos?ids=${ids}`, { method: "DELETE" });
      const body = (await res.json().catch(() => ({}))) as { deleted?: number; ids?: string[]; error?: string };
      if (!res.ok) return setError(body.error ?? `HTTP ${res.status}`);
      const gone = new Set(body.ids ?? []);
      dialog.current?.close();
      rememberDeleted({ count: body.deleted ?? 0, senders: selected.filter((v) => gone.has(v.id)).map(senderName) }, pathname);
      onDeleted([...gone]);
      // The same URL read again: the page, its filters and its order stay; what went is gone.
      router.refresh();
    } catch {
      setError(common("unreachable"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div role="region" aria-label={t("label")} className="sticky bottom-2 z-10 mt-3 flex flex-wrap items-center gap-2 rounded-lg border border-sky-300 bg-white/95 p-2 shadow-lg dark:border-sky-800 dark:bg-zinc-900/95" data-testid="selection-bar">
      <span className="text-sm font-medium" data-testid="selection-count">{t("selected", { count })}</span>
      {count < pageCount && (
        <button type="button" className="btn" onClick={onSelectPage}>{t("selectPage")}</button>
      )}
      <button type="button" className="btn" onClick={onClear}>{t("clear")}</button>
      <span className="flex flex-wrap items-center gap-2 sm:ml-auto">
        <ExportDownload href={`/api/export?format=csv&bom=1&tz=local&ids=${ids}`} rows={count} format="csv" className="btn" testId="export-selected">
          {t("export", { count })}
        </ExportDownload>
        <button type="button" className="btn text-red-700 dark:text-red-400" onClick={() => dialog.current?.showModal()}>
          {t("delete", { count })}
        </button>
      </span>
      <dialog ref={dialog} aria-labelledby="delete-selected-title" className="m-auto max-w-md rounded-lg p-5 shadow-xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100">
        <h2 id="delete-selected-title" className="text-lg font-semibold">{t("title", { count })}</h2>
        <p className="mt-2 text-sm">{t("explain")}</p>
        {error && <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">{error}</p>}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" className="btn" onClick={() => dialog.current?.close()}>{common("cancel")}</button>
          <button type="button" className="btn bg-red-700 text-white hover:bg-red-800 dark:bg-red-700" disabled={busy} onClick={confirm}>{t("confirm", { count })}</button>
        </div>
      </dialog>
    </div>
  );
}
