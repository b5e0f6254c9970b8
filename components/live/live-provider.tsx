"use client";
// One EventSource per tab, shared by every live view on the page. EventSource retries on its
// own after a dropped connection; when the server refuses outright (it closes for good) we
// open a new one. After any reconnection, views are told to resync: videos may have been missed.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import type { VideoItem } from "@/lib/videos/item";

export type LiveStatus = "connecting" | "live" | "reconnecting";
export type LiveEvent = { type: "video"; item: VideoItem } | { type: "resync" };
type Listener = (event: LiveEvent) => void;

const LiveContext = createContext<{ status: LiveStatus; subscribe: (l: Listener) => () => void }>({
  status: "connecting",
  subscribe: () => () => {},
});

export function LiveProvider({ children }: { children: React.ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let hadError = false;
    const emit = (e: LiveEvent) => listeners.current.forEach((l) => l(e));
    const open = () => {
      source = new EventSource("/api/stream");
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
        try {
          emit({ type: "video", item: JSON.parse((e as MessageEvent<string>).data) as VideoItem });
        } catch {}
      });
      source.addEventListener("resync", () => emit({ type: "resync" }));
    };
    open();
    return () => {
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, []);

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
