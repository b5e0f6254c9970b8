// What the conversation and sender list pages share: query parsing with a clear error, and paging.
import { parsePage, parseSummaryQuery } from "@/lib/shared/paging";
import { attempt, toURLSearchParams, type SearchParams } from "./page-params";

export async function readSummaryQuery(searchParams: SearchParams) {
  const params = await toURLSearchParams(searchParams);
  const { value, error } = attempt(() => parseSummaryQuery(params));
  return value ? { query: value, error: null } : { query: null, error: error! };
}

/** Keyset paging for a single entity's videos; a bad cursor starts over from the newest. */
export async function readPage(searchParams: SearchParams) {
  const params = await toURLSearchParams(searchParams);
  return attempt(() => parsePage(params)).value ?? { limit: 50 };
}

/** Route segments arrive percent-encoded in some setups and decoded in others. */
export function decodeSegment(raw: string): string {
  try {
    return /%[0-9A-Fa-f]{2}/.test(raw) ? decodeURIComponent(raw) : raw;
  } catch {
    return raw;
  }
}
