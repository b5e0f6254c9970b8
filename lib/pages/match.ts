// Whether a live video belongs in a filtered view: the browser's mirror of videoWhereSql.
// `q` is approximated (sender id, current nickname, conversation); the server remains the
// authority on the next reload.
import type { VideoListItem } from "@/lib/videos/item";

/** VideoFilters as they cross to the browser (dates as ISO strings). */
export type ClientFilters = {
  fromWxId?: string;
  conversationId?: string;
  q?: string;
  from?: string;
  to?: string;
  minDuration?: number;
  maxDuration?: number;
  direction?: "in" | "out";
  robotId?: string;
  instanceId?: string;
  archive?: "pending" | "archived" | "expired" | "failed";
  ids?: string[];
};

export function matchesFilters(v: VideoListItem, f: ClientFilters): boolean {
  if (f.ids && !f.ids.includes(v.id)) return false;
  if (f.fromWxId && v.fromWxId !== f.fromWxId) return false;
  if (f.conversationId && v.conversationId !== f.conversationId) return false;
  if (f.robotId && v.robotId !== f.robotId) return false;
  if (f.instanceId && v.instanceId !== f.instanceId) return false;
  if (f.direction && v.direction !== f.direction) return false;
  // A video just stored is pending (MEDIA_ARCHIVE on): only that view takes it live.
  if (f.archive && f.archive !== "pending") return false;
  if (f.minDuration !== undefined && v.duration < f.minDuration) return false;
  if (f.maxDuration !== undefined && v.duration > f.maxDuration) return false;
  const t = new Date(v.sendTime).getTime();
  if (f.from && t < new Date(f.from).getTime()) return false;
  if (f.to && t > new Date(f.to).getTime()) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (![v.fromWxId, v.fromNickName ?? "", v.conversationId].some((s) => s.toLowerCase().includes(q))) return false;
  }
  return true;
}

/** A text cut into the runs that match `term` (case-insensitively) and those that do not. */
export function highlightParts(text: string, term: string | undefined): { text: string; match: boolean }[] {
  const lower = text.toLowerCase();
  const needle = term?.toLowerCase() ?? "";
  // A case change that alters the length (rare: İ) would shift every index: no highlight then.
  if (!needle || lower.length !== text.length || needle.length !== term!.length) return [{ text, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length || parts.length === 0) parts.push({ text: text.slice(from), match: false });
  return parts;
}
