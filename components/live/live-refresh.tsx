"use client";
// For server-rendered lists (conversations, senders, deliveries, overview figures): reload the
// server data when videos arrive, at most every few seconds, and not under a reader's eyes.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { useLiveEvents } from "./live-provider";
import { NewItemsPill, scrolledAway } from "./new-items-pill";

export function LiveRefresh({ minIntervalMs = 2000, pill = true }: { minIntervalMs?: number; pill?: boolean }) {
  const router = useRouter();
  const [waiting, setWaiting] = useState(0);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(() => {
    if (timer.current) return;
    const wait = Math.max(0, last.current + minIntervalMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      setWaiting(0);
      router.refresh();
    }, wait);
  }, [router, minIntervalMs]);

  useLiveEvents((e) => {
    if (e.type === "deleted") return refresh();
    if (e.type === "resync" || !pill || !scrolledAway()) refresh();
    else setWaiting((n) => n + 1);
  });

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  return pill ? (
    <NewItemsPill
      count={waiting}
      onShow={() => {
        window.scrollTo({ top: 0, behavior: "smooth" });
        refresh();
      }}
    />
  ) : null;
}
