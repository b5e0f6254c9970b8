// What the conversation and sender list pages share: query parsing with a clear error, and paging.
import { parsePage, parseSummaryQuery } from "@/lib/shared/paging";
import { attempt, toURLSearchParams, type SearchParams } from "@/lib/pages/params";

export async function readSummaryQuery(searchParams: SearchParams) {
  const params = await toURLSearchParams(searchParams);
  const { value, error } = attempt(() => parseSummaryQuery(params));
  // The range as the URL has it, for the range control and the links that keep it.
  const range = { from: params.get("from") ?? undefined, to: params.get("to") ?? undefined };
  return value ? { query: value, range, error: null } : { query: null, range, error: error! };
}

/** Keyset paging for a single entity's videos; a bad cursor starts over from the newest. */
export async function readPage(searchParams: SearchParams) {
  const params = await toURLSearchParams(searchParams);
  return attempt(() => parsePage(params)).value ?? { limit: 50 };
}
