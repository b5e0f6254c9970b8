// Page query strings: Next's searchParams as URLSearchParams, and filters as they cross to the browser.
import { FILTER_NAMES, type VideoFilters } from "@/lib/videos/filters";
import { ParamError } from "@/lib/params";
import { DEFAULT_SORT, VIDEO_SORTS, type VideoSort } from "@/lib/videos/sort";
import type { ClientFilters } from "./match";

export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function toURLSearchParams(searchParams: SearchParams): Promise<URLSearchParams> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(await searchParams)) {
    if (typeof v === "string") params.set(k, v);
    else if (Array.isArray(v) && v[0] !== undefined) params.set(k, v[0]);
  }
  return params;
}

export function toClientFilters(f: VideoFilters): ClientFilters {
  return { ...f, from: f.from?.toISOString(), to: f.to?.toISOString() };
}

/** Only the filter parameters of `params` (cursor, view and unknown names dropped). */
export function filterQuery(params: URLSearchParams, extra: Record<string, string | undefined> = {}): string {
  const out = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const v = params.get(name);
    if (v !== null && v.trim() !== "") out.set(name, v);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out.set(k, v);
  return out.toString();
}

/**
 * The list's order and page size as its links carry them: the order absent for the default
 * (newest first) or a value that is not an order; the size only when the URL set one.
 */
export function orderAndSize(params: URLSearchParams): { sort?: VideoSort; limit?: string } {
  const sort = params.get("sort") as VideoSort | null;
  const limit = params.get("limit");
  return {
    ...(sort && sort !== DEFAULT_SORT && VIDEO_SORTS.includes(sort) ? { sort } : {}),
    ...(limit && /^\d{1,3}$/.test(limit) ? { limit } : {}),
  };
}

export function hasFilters(f: VideoFilters): boolean {
  return Object.values(f).some((v) => v !== undefined);
}

/** Runs a parser; a ParamError comes back as a value (pages show it), anything else is thrown. */
export function attempt<T>(parse: () => T): { value: T; error: null } | { value: null; error: ParamError } {
  try {
    return { value: parse(), error: null };
  } catch (err) {
    if (err instanceof ParamError) return { value: null, error: err };
    throw err;
  }
}

/** Route segments arrive percent-encoded in some setups and decoded in others. */
export function decodeSegment(raw: string): string {
  try {
    return /%[0-9A-Fa-f]{2}/.test(raw) ? decodeURIComponent(raw) : raw;
  } catch {
    return raw;
  }
}
