"use client";
// What a delete removed, said on the page the user lands on afterwards: the same list (a selection
// deleted in place) or the list a video was opened from. Kept in sessionStorage across the
// navigation, shown once, on that page only.
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";

const KEY = "vd:deleted";
const EVENT = "vd:deleted";

/** How many videos went, and whose (their senders' names, as the list showed them). */
export type DeletedSummary = { count: number; senders: string[] };

type Remembered = DeletedSummary & { path: string };

/** Called just before going to `landing` (a path with or without its query): the notice shows there. */
export function rememberDeleted(summary: DeletedSummary, landing: string) {
  const remembered: Remembered = { ...summary, path: landing.split("?")[0] };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(remembered));
  } catch {
    // Storage refused (a private window's quota): the list still changes, only the notice is lost.
  }
  window.dispatchEvent(new Event(EVENT));
}

export function DeletedNotice() {
  const t = useTranslations("deleted");
  const pathname = usePathname();
  const [shown, setShown] = useState<Remembered | null>(null);
  useEffect(() => {
    const take = () => {
      try {
        const raw = sessionStorage.getItem(KEY);
        sessionStorage.removeItem(KEY);
        if (raw) setShown(JSON.parse(raw) as Remembered);
      } catch {
        // Nothing to show.
      }
    };
    take();
    window.addEventListener(EVENT, take);
    return () => window.removeEventListener(EVENT, take);
  }, []);
  const visible = shown && shown.path === pathname ? shown : null;
  // Once seen, leaving that page ends it: coming back later says nothing of an old delete.
  const seen = useRef(false);
  useEffect(() => {
    if (visible) seen.current = true;
    else if (shown && seen.current) {
      seen.current = false;
      setShown(null);
    }
  }, [visible, shown]);
  const names = visible ? [...new Set(visible.senders)] : [];
  const named = names.slice(0, 3).join(t("separator"));
  return (
    // Always in the page, so that screen readers announce the message when it appears.
    <div role="status" className={visible ? "mb-4" : "sr-only"}>
      {visible && (
        <p className="flex items-start justify-between gap-3 rounded border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100" data-testid="deleted-notice">
          <span>
            {names.length === 0
              ? t("videos", { count: visible.count })
              : names.length > 3
                ? t("fromMany", { count: visible.count, senders: named, more: names.length - 3 })
                : t("from", { count: visible.count, senders: named })}
          </span>
          <button type="button" className="shrink-0 underline" onClick={() => setShown(null)}>{t("dismiss")}</button>
        </p>
      )}
    </div>
  );
}
