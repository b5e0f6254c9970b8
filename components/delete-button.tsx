"use client";
// Delete, after a confirmation in a modal dialog: DELETE `endpoint` (one video, or all of one
// sender's), then on to `then` (every open page drops the cards through the live stream).
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { rememberDeleted } from "./deleted-notice";

/** `senders`: whose videos these are, named in the message shown where `then` leads. */
export function DeleteButton({ endpoint, then, kind, senders = [] }: { endpoint: string; then: string; kind: "video" | "sender"; senders?: string[] }) {
  const t = useTranslations(`delete.${kind}`);
  const common = useTranslations("delete");
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(endpoint, { method: "DELETE" });
      if (res.ok) {
        const { deleted } = (await res.json().catch(() => ({}))) as { deleted?: number };
        dialog.current?.close();
        rememberDeleted({ count: deleted ?? 1, senders }, then);
        router.push(then);
        return;
      }
      setError(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${res.status}`);
    } catch {
      setError(common("unreachable"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn text-red-700 dark:text-red-400" onClick={() => dialog.current?.showModal()}>
        {t("button")}
      </button>
      <dialog ref={dialog} aria-labelledby="delete-title" className="m-auto max-w-md rounded-lg p-5 shadow-xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100">
        <h2 id="delete-title" className="text-lg font-semibold">{t("title")}</h2>
        <p className="mt-2 text-sm">{t("explain")}</p>
        {error && <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">{error}</p>}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" className="btn" onClick={() => dialog.current?.close()}>{common("cancel")}</button>
          <button type="button" className="btn bg-red-700 text-white hover:bg-red-800 dark:bg-red-700" disabled={busy} onClick={confirm}>{t("confirm")}</button>
        </div>
      </dialog>
    </>
  );
}
