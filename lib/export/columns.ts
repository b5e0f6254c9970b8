// The export's columns: the payload's own field names (cdnData's keys prefixed with cdn_), in
// one list that both the CSV header and the JSON objects are built from, so every format
// carries the same fields under the same names.

import { CDN_DATA_FROM_LATERAL, cdnStringSql, type CdnStringColumn } from "../shared/cdn-strings";

export type ExportColumn = { name: string; sql: string; secret?: boolean; number?: true };

/** A CDN string, from its column or the envelope; the query joins CDN_DATA_LATERAL for it. */
const cdnString = (column: CdnStringColumn) => cdnStringSql(column, CDN_DATA_FROM_LATERAL);

/** ISO 8601 in UTC with milliseconds, exactly what JavaScript's toISOString writes. */
const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * ISO 8601 in `zone` (a literal), to the second, with that moment's offset there:
 * `2026-12-08T00:08:15+08:00`, what a spreadsheet user reads beside the page (tz=local).
 */
export function zonedIsoTime(column: string, zone: string): string {
  const local = `(${column} AT TIME ZONE ${zone})`;
  const offset = `(${local} - (${column} AT TIME ZONE 'UTC'))`;
  return `to_char(${local}, 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN ${offset} < interval '0' THEN '-' || to_char(-${offset}, 'HH24:MI') ELSE '+' || to_char(${offset}, 'HH24:MI') END`;
}

export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  // Ids are 64-bit: text, so no digit is lost in JSON either (as in /api/videos).
  { name: "id", sql: "id::text" },
  { name: "instanceId", sql: `"instanceId"` },
  { name: "robotId", sql: `"robotId"` },
  { name: "serverId", sql: `"serverId"` },
  { name: "localId", sql: `"localId"` },
  { name: "fromWxId", sql: `"fromWxId"` },
  { name: "fromNickName", sql: `"fromNickName"` },
  { name: "conversationId", sql: `"conversationId"` },
  { name: "toWxId", sql: `"toWxId"` },
  { name: "messageSource", sql: `"messageSource"`, number: true },
  { name: "direction", sql: `CASE WHEN "messageSource" = 1 THEN 'out' ELSE 'in' END` },
  { name: "isPc", sql: `"isPc"`, number: true },
  { name: "messageType", sql: `"messageType"`, number: true },
  { name: "appInfo", sql: `"appInfo"` },
  { name: "cdnType", sql: `"cdnType"`, number: true },
  { name: "width", sql: "width", number: true },
  { name: "height", sql: "height", number: true },
  { name: "duration", sql: "duration", number: true },
  { name: "sendTime", sql: isoTime(`"sendTime"`) },
  { name: "receivedAt", sql: isoTime(`"receivedAt"`) },
  { name: "cdn_file_name", sql: `"cdnFileName"` },
  { name: "cdn_size", sql: `"cdnSize"`, number: true },
  { name: "cdn_md5", sql: cdnString("cdnMd5") },
  { name: "cdn_url", sql: cdnString("cdnUrl") },
  { name: "cdn_preview_img_url", sql: cdnString("cdnPreviewUrl") },
  { name: "cdn_preview_img_size", sql: `"cdnPreviewSize"`, number: true },
  { name: "cdn_width", sql: `"cdnPreviewWidth"`, number: true },
  { name: "cdn_height", sql: `"cdnPreviewHeight"`, number: true },
  { name: "cdn_aes_key", sql: cdnString("cdnAesKey"), secret: true },
  { name: "cdn_auth_key", sql: cdnString("cdnAuthKey"), secret: true },
  // Added with issue 27, after every earlier column (secret ones included) so that scripts
  // reading columns by position keep working. The operator's names, from `labels`.
  { name: "conversationLabel", sql: labelSql("conversation", `video_events."conversationId"`) },
  { name: "robotLabel", sql: labelSql("robot", `video_events."robotId"`) },
];

/**
 * The label an operator gave the robot or conversation `column` names, or NULL. The labels of that
 * kind are read once per statement into one jsonb object (an uncorrelated subquery: an InitPlan),
 * and each row looks its key up in it (a binary search in memory): a primary-key lookup per row
 * made the CSV export of 200,000 rows 1.65 times as long with 500 labels (docs/performance.md).
 * People type labels, so there are few; with none the object is NULL and costs nothing per row.
 */
function labelSql(kind: "robot" | "conversation", column: string): string {
  return `((SELECT jsonb_object_agg(l.key, l.label) FROM labels l WHERE l.kind = '${kind}') ->> ${column})`;
}

const TIME_COLUMNS: Record<string, string> = { sendTime: `"sendTime"`, receivedAt: `"receivedAt"` };

/** The columns of an export; `zone` (an SQL literal naming a time zone): its times in that zone, with their offset. */
export function exportColumns({ includeSecrets, zone }: { includeSecrets: boolean; zone?: string | null }): ExportColumn[] {
  return EXPORT_COLUMNS.filter((c) => includeSecrets || !c.secret).map((c) => (zone && TIME_COLUMNS[c.name] ? { ...c, sql: zonedIsoTime(TIME_COLUMNS[c.name], zone) } : c));
}

/**
 * A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
 * Excel, WPS and LibreOffice: a nickname like `=HYPERLINK(...)` would run when the CSV is opened.
 * Such cells get a leading `'`, which spreadsheets show as text. Numbers are left alone; scripts
 * that want the bytes as stored ask for `raw=1`.
 */
export function formulaSafeSql(column: ExportColumn): string {
  if (column.number) return column.sql;
  return `CASE WHEN left(${column.sql}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${column.sql} ELSE ${column.sql} END`;
}
