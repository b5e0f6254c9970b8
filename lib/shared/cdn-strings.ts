// A video's CDN strings (its two links, its keys, its md5) are stored once, inside `raw`, the
// envelope as received: kept in their own columns too, they were a third of a row's bytes
// (docs/performance.md, storage). Their columns in video_events stay, NULL for rows stored since
// migration 20261129150000; rows stored before keep their copies. Every reader goes through the
// SQL below (or, reading a model row, cdnStringOf), which takes the column when it is set and the
// envelope's value otherwise. Both are
// the same string by construction (ingest fills the columns from the envelope's own fields), and
// the envelope has no such string exactly when the column was NULL, so the answer is unchanged.

/** Each column and the key of `data.cdnData` it was copied from. */
export const CDN_STRING_KEYS = {
  cdnUrl: "url",
  cdnPreviewUrl: "preview_img_url",
  cdnAesKey: "aes_key",
  cdnAuthKey: "auth_key",
  cdnMd5: "md5",
} as const;

export type CdnStringColumn = keyof typeof CDN_STRING_KEYS;

/**
 * The value of `column`: the column, else the envelope's. `cdnData` is an SQL expression for the
 * envelope's `data.cdnData`; a reader of many rows computes it once per row (see
 * CDN_DATA_LATERAL), since each use of `raw` decompresses it again.
 */
export function cdnStringSql(column: CdnStringColumn, cdnData = `raw #> '{data,cdnData}'`): string {
  return `coalesce("${column}", (${cdnData}) ->> '${CDN_STRING_KEYS[column]}')`;
}

/**
 * A FROM item giving each row's `data.cdnData` once as `cdn."cdnData"` (OFFSET 0 keeps the
 * planner from copying the expression into every place that uses it).
 */
export const CDN_DATA_LATERAL = `LATERAL (SELECT raw #> '{data,cdnData}' AS "cdnData" OFFSET 0) AS cdn`;
export const CDN_DATA_FROM_LATERAL = `cdn."cdnData"`;

/**
 * cdnStringSql for a row already read (the model API): `own` (the column) when set, else the
 * envelope's value as `->>` gives it (text; a non-string value as its JSON; null when absent).
 */
export function cdnStringOf(own: string | null, raw: unknown, column: CdnStringColumn): string | null {
  if (own !== null) return own;
  const cdnData = (raw as { data?: { cdnData?: unknown } } | null)?.data?.cdnData;
  if (!cdnData || typeof cdnData !== "object" || Array.isArray(cdnData)) return null;
  const value = (cdnData as Record<string, unknown>)[CDN_STRING_KEYS[column]];
  return value === undefined || value === null ? null : typeof value === "string" ? value : JSON.stringify(value);
}
