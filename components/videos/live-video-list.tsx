"use client";
// A list of videos that grows live: new matching videos are put on top, or, when the reader
// has scrolled away, counted in a pill until they ask for them.
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useTranslations } from "next-intl";
import type { VideoListItem } from "@/lib/videos/item";
import { useLiveEvents } from "../live/live-provider";
import { NewItemsPill, scrolledAway } from "../live/new-items-pill";
import { matchesFilters, type ClientFilters } from "@/lib/pages/match";
import { VideoCard } from "./video-card";
import { VideoTable } from "./video-table";
import { VideoTimeline } from "./video-timeline";
import { SelectionBar } from "./selection-bar";
import { senderName } from "./video-card";

const MAX_LIVE = 500;

export type ListView = "grid" | "table" | "timeline";

export function LiveVideoList({
  initial,
  filters,
  view,
  live,
  empty,
  maxItems,
  context,
  order = "desc",
  selectable = false,
}: {
  initial: VideoListItem[];
  filters: ClientFilters;
  view: ListView;
  /** False on older pages: new videos belong to the first page only. */
  live: boolean;
  empty: React.ReactNode;
  maxItems?: number;
  /** The list's context for the video links (lib/pages/video-context.ts), so ← → on a video stay in it. */
  context?: string;
  /** "asc": oldest first, new videos join at the bottom (shown at once, no pill). */
  order?: "asc" | "desc";
  /** A checkbox on each card or row, and a bar to export or delete what is chosen. */
  selectable?: boolean;
}) {
  const t = useTranslations("videoList");
  const router = useRouter();
  const [arrived, setArrived] = useState<VideoListItem[]>([]);
  const [pending, setPending] = useState<VideoListItem[]>([]);
  // Deleted anywhere (this page's Delete, another tab, another instance): the card goes.
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
  // Chosen videos by id, in the order chosen; one that goes (deleted anywhere) leaves the selection.
  const [chosen, setChosen] = useState<ReadonlyMap<string, VideoListItem>>(new Map());

  useLiveEvents((e) => {
    if (e.type === "deleted") return setGone((g) => new Set([...g, ...e.ids]));
    if (!live) return;
    if (e.type === "resync") return router.refresh();
    if (!matchesFilters(e.item, filters)) return;
    if (order === "desc" && scrolledAway()) setPending((p) => [e.item, ...p]);
    else setArrived((a) => [e.item, ...a].slice(0, MAX_LIVE));
  });

  // Coming back to the top shows what waited.
  useEffect(() => {
    if (pending.length === 0) return;
    const onScroll = () => {
      if (!scrolledAway()) showPending();
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  });

  function showPending() {
    setArrived((a) => [...pending, ...a].slice(0, MAX_LIVE));
    setPending([]);
  }

  const fresh = useMemo(() => new Set(arrived.map((v) => v.id)), [arrived]);
  const videos = useMemo(() => {
    const seen = new Set<string>();
    const all = (order === "asc" ? [...initial, ...[...arrived].reverse()] : [...arrived, ...initial]).filter((v) => !gone.has(v.id) && !seen.has(v.id) && seen.add(v.id));
    return maxItems ? all.slice(0, maxItems) : all;
  }, [arrived, initial, maxItems, gone, order]);

  const selected = [...chosen.values()].filter((v) => !gone.has(v.id));
  const toggle = (v: VideoListItem, on: boolean) =>
    setChosen((c) => {
      const next = new Map(c);
      if (on) next.set(v.id, v);
      else next.delete(v.id);
      return next;
    });
  const select = selectable
    ? (v: VideoListItem) => (
        <input
          type="checkbox"
          className="size-5 cursor-pointer accent-sky-700"
          checked={chosen.has(v.id)}
          onChange={(e) => toggle(v, e.currentTarget.checked)}
          aria-label={t("select", { sender: senderName(v) })}
          data-testid="select-video"
        />
      )
    : undefined;

  return (
    <>
      <NewItemsPill
        count={pending.length}
        onShow={() => {
          showPending();
          window.scrollTo({ top: 0, behavior: "smooth" });
        }}
      />
      <p className="sr-only" role="status" aria-live="polite">
        {arrived.length > 0 ? t("arrived", { count: arrived.length }) : ""}
      </p>
      {videos.length === 0 ? (
        empty
      ) : view === "table" ? (
        <VideoTable videos={videos} fresh={fresh} highlight={filters.q} context={context} select={select} />
      ) : view === "timeline" ? (
        <VideoTimeline videos={videos} fresh={fresh} context={context} />
      ) : (
        <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-5 xl:grid-cols-6" data-testid="video-grid">
          {videos.map((v) => (
            <li key={v.id} className="flex">
              <VideoCard video={v} fresh={fresh.has(v.id)} highlight={filters.q} context={context} select={select?.(v)} />
            </li>
          ))}
        </ul>
      )}
      {selectable && selected.length > 0 && (
        <SelectionBar
          selected={selected}
          pageCount={videos.length}
          onSelectPage={() => setChosen(new Map(videos.map((v) => [v.id, v])))}
          onClear={() => setChosen(new Map())}
          onDeleted={(ids) => {
            setGone((g) => new Set([...g, ...ids]));
            setChosen(new Map());
          }}
        />
      )}
    </>
  );
}
