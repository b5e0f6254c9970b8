"use client";
// One EventSource per tab, shared by every live view on the page. EventSource retries on its
// own after a dropped connection; when the server refuses outright (it closes for good) we
// open a new one. After any reconnection, views are told to resync: videos may have been missed.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { usePathname } from "next/navigation";
import { LOGIN_PATH } from "@/components/status/hidden-on-login";
import type { VideoListItem } from "@/lib/videos/item";

export type LiveStatus = "connecting" | "live" | "reconnecting";
export type LiveEvent = { type: "video"; item: VideoListItem } | { type: "resync" } | { type: "deleted"; ids: string[] };
type Listener = (event: LiveEvent) => void;

const LiveContext = createContext<{ status: LiveStatus; subscribe: (l: Listener) => () => void }>({
  status: "connecting",
  subscribe: () => () => {},
});

export function LiveProvider({ children }: { children: React.ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const listeners = useRef(new Set<Listener>());
  // The login page has nothing live, and the stream would refuse a visitor who is not logged in.
  const onLogin = usePathname() === LOGIN_PATH;

  useEffect(() => {
    if (onLogin) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let hadError = false;
    // Kept open all day in a background tab: the tab's title counts what arrived meanwhile.
    let unseen = 0;
    const baseTitle = () => document.title.replace(/^\(\d+\) /, "");
    const onVisible = () => {
      if (document.hidden || unseen === 0) return;
      unseen = 0;
      document.title = baseTitle();
    };
    document.addEventListener("visibilitychange", onVisible);
    const emit = (e: LiveEvent) => {
      if (e.type === "video" && document.hidden) document.title = `(${++unseen}) ${baseTitle()}`;
      listeners.current.forEach((l) => l(e));
    };
    // The last event id seen: EventSource sends it back on its own reconnects; a new one
    // started by hand names it in the URL, so the server sends what was missed meanwhile.
    let lastEventId = "";
    const remember = (e: Event) => {
      if ((e as MessageEvent).lastEventId) lastEventId = (e as MessageEvent).lastEventId;
    };
    const open = () => {
      source = new EventSource(lastEventId ? `/api/stream?lastEventId=${encodeURIComponent(lastEventId)}` : "/api/stream");
      source.addEventListener("ready", remember);
      source.onopen = () => {
        setStatus("live");
        if (hadError) emit({ type: "resync" });
        hadError = false;
      };
      source.onerror = () => {
        hadError = true;
        setStatus("reconnecting");
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = setTimeout(open, 3000);
        }
      };
      source.addEventListener("video", (e) => {
        remember(e);
        try {
          emit({ type: "video", item: JSON.parse((e as MessageEvent<string>).data) as VideoListItem });
        } catch {}
      });
      source.addEventListener("resync", () => emit({ type: "resync" }));
      // The server ended the stream for good (the session was logged out or expired): reconnecting
      // would be refused. Reloading shows the page as this browser may now see it (the login).
      source.addEventListener("ended", () => {
        source?.close();
        window.location.reload();
      });
      source.addEventListener("deleted", (e) => {
        try {
          emit({ type: "deleted", ids: (JSON.parse((e as MessageEvent<string>).data) as { ids: string[] }).ids });
        } catch {}
      });
    };
    // A dropped network can leave the stream's connection silently dead: start over when it is back.
    const onOffline = () => {
      hadError = true;
      setStatus("reconnecting");
      source?.close();
      if (retry) clearTimeout(retry);
    };
    const onOnline = () => {
      source?.close();
      if (retry) clearTimeout(retry);
      open();
    };
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);
    open();
    return () => {
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("online", onOnline);
      document.removeEventListener("visibilitychange", onVisible);
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [onLogin]);

  const subscribe = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => {
      listeners.current.delete(l);
    };
  }, []);

  return <LiveContext.Provider value={{ status, subscribe }}>{children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

/** Calls `onEvent` for every live event while mounted (always the latest `onEvent`). */
export function useLiveEvents(onEvent: Listener) {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  useEffect(() => subscribe((e) => latest.current(e)), [subscribe]);
}
