// What the conversation and sender list pages share: query parsing with a clear error, and paging.
import { parsePage, parseSummaryQuery } from "@/lib/shared/paging";
import { attempt, toURLSearchParams, type SearchParams } from "@/lib/pages/params";

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
