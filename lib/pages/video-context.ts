// Where a video page was opened from, kept in its URL so that it can be shared: ← →, "older/newer"
// and "back" stay within that list.
//   /videos/123                                        every video; back to /videos
//   /videos/123?in=conversation:R:1@chatroom&order=asc one conversation, watched oldest first
//   /videos/123?in=sender:wxid_abc                     one sender's videos
//   /videos/123?in=videos&q=alice&view=table           /videos with its filters (a search)
import { pathSegment } from "@/lib/format/format";
import { NO_FILTERS, parseVideoFilters, type VideoFilters } from "@/lib/videos/filters";
import { attempt, filterQuery, orderAndSize } from "./params";

export type WatchOrder = "asc" | "desc";

export type VideoContext =
  | { kind: "all" }
  | { kind: "conversation"; id: string; order: WatchOrder }
  | { kind: "sender"; id: string }
  | { kind: "videos"; filters: VideoFilters; query: string };

/** `order=asc` (oldest first); anything else is the lists' order, newest first. */
export function watchOrder(params: URLSearchParams): WatchOrder {
  return params.get("order") === "asc" ? "asc" : "desc";
}

/** The context of `params`; one that cannot be read (a bad filter) is every video, never an error. */
export function parseVideoContext(params: URLSearchParams): VideoContext {
  const where = params.get("in") ?? "";
  const [kind, ...rest] = where.split(":");
  const id = rest.join(":");
  if (kind === "conversation" && id) return { kind, id, order: watchOrder(params) };
  if (kind === "sender" && id) return { kind, id };
  if (kind === "videos") {
    const filters = attempt(() => parseVideoFilters(params)).value;
    // The order and the page too, so that "back" (and a delete) returns to the very page it was opened from.
    const query = filterQuery(params, { view: params.get("view") === "table" ? "table" : undefined, ...orderAndSize(params), cursor: params.get("cursor") || undefined });
    if (filters) return { kind, filters, query };
  }
  return { kind: "all" };
}

/** The filters whose neighbours ← → walk. */
export function contextFilters(context: VideoContext): VideoFilters {
  switch (context.kind) {
    case "conversation":
      return { ...NO_FILTERS, conversationId: context.id };
    case "sender":
      return { ...NO_FILTERS, fromWxId: context.id };
    case "videos":
      return context.filters;
    default:
      return NO_FILTERS;
  }
}

/** The query string (without "?") a video link carries to keep `context`; "" for every video. */
export function contextQuery(context: VideoContext): string {
  switch (context.kind) {
    case "conversation":
      return new URLSearchParams({ in: `conversation:${context.id}`, ...(context.order === "asc" ? { order: "asc" } : {}) }).toString();
    case "sender":
      return new URLSearchParams({ in: `sender:${context.id}` }).toString();
    case "videos":
      return context.query ? `in=videos&${context.query}` : "";
    default:
      return "";
  }
}

/** Where "back" goes: the list the video was opened from. */
export function backHref(context: VideoContext): string {
  switch (context.kind) {
    case "conversation":
      return `/conversations/${pathSegment(context.id)}${context.order === "asc" ? "?order=asc" : ""}`;
    case "sender":
      return `/senders/${pathSegment(context.id)}`;
    case "videos":
      return `/videos${context.query ? `?${context.query}` : ""}`;
    default:
      return "/videos";
  }
}
