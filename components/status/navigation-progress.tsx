"use client";
// A page that is slow to come (a busy or hung database) shows that it is coming: a bar under the
// header and, for screen readers, "Loading the page…" in the reader's language. Not a
// loading.tsx: a loading boundary streams the page, which answers a missing video's page 200
// instead of 404 and keeps a hidden copy of the content in the document while it streams
// (docs/dashboard.md).
//
// A navigation starts with a click on a link to another page of ours (captured before Next's Link
// handles it) and ends when the address in the tab changes: the router writes it into history when
// it commits the new page (error pages included), and back and forward change it too. Not from
// usePathname: the router renders the next page's tree, with the next pathname, before it has its
// data, in a transition that is not yet on screen. Shown only after 200 ms, so fast pages don't
// flicker.
import { useEffect, useState } from "react";
import { useTranslations } from "next-intl";

const SHOW_AFTER_MS = 200;

const currentAddress = () => `${window.location.pathname}${window.location.search}`;

/** Whether a click leaves this page for another of ours in this tab (a new address, not only a #hash). */
function leavesForOurPage(event: MouseEvent): boolean {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== "_self") || link.hasAttribute("download")) return false;
  const to = new URL(link.href, window.location.href);
  return to.origin === window.location.origin && `${to.pathname}${to.search}` !== currentAddress();
}

export function NavigationProgress() {
  const t = useTranslations("status");
  // The address a navigation left, and whether it has taken long enough to show.
  const [navigation, setNavigation] = useState<{ from: string; shown: boolean } | null>(null);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onClick = (event: MouseEvent) => {
      if (!leavesForOurPage(event)) return;
      const from = currentAddress();
      setNavigation({ from, shown: false });
      clearTimeout(timer);
      timer = setTimeout(() => setNavigation((n) => (n && n.from === from ? { from, shown: true } : n)), SHOW_AFTER_MS);
    };
    // After the router (or the browser) changed the address: over if it is no longer the one left.
    // A microtask later, as the router writes history from an insertion effect, where no state may change.
    const addressMayHaveChanged = () => queueMicrotask(() => setNavigation((n) => (n && n.from !== currentAddress() ? null : n)));
    const history = window.history;
    const { pushState, replaceState } = history;
    const watchedPush: History["pushState"] = function (this: History, ...args) {
      pushState.apply(this, args);
      addressMayHaveChanged();
    };
    const watchedReplace: History["replaceState"] = function (this: History, ...args) {
      replaceState.apply(this, args);
      addressMayHaveChanged();
    };
    history.pushState = watchedPush;
    history.replaceState = watchedReplace;
    document.addEventListener("click", onClick, true);
    window.addEventListener("popstate", addressMayHaveChanged);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("click", onClick, true);
      window.removeEventListener("popstate", addressMayHaveChanged);
      // Only our own wrappers come off: whatever wrapped them since keeps working.
      if (history.pushState === watchedPush) history.pushState = pushState;
      if (history.replaceState === watchedReplace) history.replaceState = replaceState;
    };
  }, []);

  const visible = navigation?.shown === true;
  return (
    <div role="status" aria-live="polite" data-testid="navigation-progress" data-pending={visible ? "true" : "false"} className="pointer-events-none absolute inset-x-0 bottom-0 h-0.5 overflow-hidden">
      {visible && (
        <>
          <span className="sr-only">{t("loading")}</span>
          <span aria-hidden="true" className="navigation-progress-bar block h-full bg-sky-600 dark:bg-sky-400" />
        </>
      )}
    </div>
  );
}
