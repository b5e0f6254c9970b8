// The export's columns: the payload's own field names (cdnData's keys prefixed with cdn_), in
// one list that both the CSV header and the JSON objects are built from, so every format
// carries the same fields under the same names.

export type ExportColumn = { name: string; sql: string; secret?: boolean };

/** ISO 8601 in UTC with milliseconds, exactly what JavaScript's toISOString writes. */
const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

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
  { name: "messageSource", sql: `"messageSource"` },
  { name: "direction", sql: `CASE WHEN "messageSource" = 1 THEN 'out' ELSE 'in' END` },
  { name: "isPc", sql: `"isPc"` },
  { name: "messageType", sql: `"messageType"` },
  { name: "appInfo", sql: `"appInfo"` },
  { name: "cdnType", sql: `"cdnType"` },
  { name: "width", sql: "width" },
  { name: "height", sql: "height" },
  { name: "duration", sql: "duration" },
  { name: "sendTime", sql: isoTime(`"sendTime"`) },
  { name: "receivedAt", sql: isoTime(`"receivedAt"`) },
  { name: "cdn_file_name", sql: `"cdnFileName"` },
  { name: "cdn_size", sql: `"cdnSize"` },
  { name: "cdn_md5", sql: `"cdnMd5"` },
  { name: "cdn_url", sql: `"cdnUrl"` },
  { name: "cdn_preview_img_url", sql: `"cdnPreviewUrl"` },
  { name: "cdn_preview_img_size", sql: `"cdnPreviewSize"` },
  { name: "cdn_width", sql: `"cdnPreviewWidth"` },
  { name: "cdn_height", sql: `"cdnPreviewHeight"` },
  { name: "cdn_aes_key", sql: `"cdnAesKey"`, secret: true },
  { name: "cdn_auth_key", sql: `"cdnAuthKey"`, secret: true },
];

export function exportColumns({ includeSecrets }: { includeSecrets: boolean }): ExportColumn[] {
  return EXPORT_COLUMNS.filter((c) => includeSecrets || !c.secret);
}
