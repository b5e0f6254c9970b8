"use client";
// Naming a robot or a conversation (issue 27): PUT .../label with the text, or DELETE to clear,
// then the page is rendered again with the name everywhere. The server checks the length and
// answers label_too_long; the form says so in the reader's language.
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useTranslations } from "next-intl";

/** Mirrors lib/labels LABEL_MAX_LENGTH (a client component cannot import the server module). */
const MAX_LENGTH = 64;

export function LabelEditor({ kind, id, label }: { kind: "robot" | "conversation"; id: string; label: string | null }) {
  const t = useTranslations("labels");
  const router = useRouter();
  const inputId = useId();
  const [value, setValue] = useState(label ?? "");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const path = `/api/${kind === "robot" ? "robots" : "conversations"}/${encodeURIComponent(id)}/label`;

  const send = async (clear: boolean) => {
    setBusy(true);
    setMessage(null);
    try {
      const res = clear
        ? await fetch(path, { method: "DELETE" })
        : await fetch(path, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ label: value }) });
      const body = (await res.json().catch(() => ({}))) as { code?: string; error?: string; label?: string | null };
      if (!res.ok) {
        setMessage({ error: true, text: body.code === "label_too_long" ? t("tooLong", { max: MAX_LENGTH }) : (body.error ?? `HTTP ${res.status}`) });
        return;
      }
      setValue(body.label ?? "");
      setMessage({ error: false, text: body.label ? t("saved") : t("cleared") });
      router.refresh();
    } catch {
      setMessage({ error: true, text: t("unreachable") });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="flex flex-wrap items-end gap-2"
      data-testid="label-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void send(false);
      }}
    >
      <div className="flex min-w-0 flex-1 flex-col gap-1 sm:max-w-sm">
        <label htmlFor={inputId} className="text-sm font-medium">{t(kind === "robot" ? "robotName" : "conversationName")}</label>
        <input
          id={inputId}
          className="input w-full"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder={t("placeholder")}
          aria-describedby={`${inputId}-hint`}
          autoComplete="off"
        />
        <span id={`${inputId}-hint`} className="text-xs muted">{t("hint", { max: MAX_LENGTH })}</span>
      </div>
      <div className="flex gap-2 pb-5">
        <button type="submit" className="btn" disabled={busy}>{t("save")}</button>
        {label && <button type="button" className="btn" disabled={busy} onClick={() => void send(true)}>{t("clear")}</button>}
      </div>
      <p role="status" className={`w-full text-sm ${message?.error ? "text-red-700 dark:text-red-400" : "muted"}`}>{message?.text ?? ""}</p>
    </form>
  );
}
