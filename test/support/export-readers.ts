// Readers for the tests (unit and browser): an RFC 4180 CSV parser written apart from the
// writer (PostgreSQL's COPY), so a quoting mistake on either side shows up as a mismatch.
import type { Readable } from "node:stream";
import type { Pool } from "pg";

/** Rows of fields; `null` for an unquoted empty field (how COPY writes NULL), "" for `""`. */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = "";
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) throw new Error("unterminated quoted field");
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      field = value;
    } else {
      let end = i;
      while (end < text.length && text[end] !== "," && text[end] !== "\n" && text[end] !== "\r") end += 1;
      const raw = text.slice(i, end);
      if (raw.includes('"')) throw new Error(`a quote inside an unquoted field: ${raw}`);
      field = raw === "" ? null : raw;
      i = end;
    }
    row.push(field);
    if (text[i] === ",") i += 1;
    else {
      if (text[i] === "\r") i += 1;
      if (i < text.length && text[i] !== "\n") throw new Error(`expected a line end at ${i}`);
      i += 1;
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

/** CSV rows as objects keyed by the header. */
export function csvRecords(text: string): Record<string, string | null>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((name, i) => [name ?? "", r[i]])));
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Adds `rows` video events in one INSERT ... SELECT generate_series: realistic sizes, and every
 * tenth nickname awkward for CSV (comma, quotes, newline, Chinese). Triggers are off meanwhile
 * (session_replication_role): the summary tables stay empty (no `q` filter on these rows), and
 * pg_notify could not carry a million ids in one statement anyway.
 */
export async function fillVideos(db: Pool, rows: number, { senders = 1000 } = {}): Promise<void> {
  const client = await db.connect();
  await client.query(`SET session_replication_role = replica`);
  try {
    await client.query(
      `INSERT INTO video_events ("messageKey", "instanceId", "robotId", "serverId", "localId", "fromWxId", "fromNickName",
         "conversationId", "toWxId", "messageSource", "isPc", "messageType", "appInfo", "cdnType", width, height, duration,
         "sendTime", "eventTime", "receivedAt", description, "cdnUrl", "cdnFileName", "cdnSize", "cdnMd5", "cdnAesKey",
         "cdnAuthKey", "cdnPreviewUrl", "cdnPreviewSize", "cdnPreviewWidth", "cdnPreviewHeight", raw)
       SELECT 'fill-' || g, 'instance-' || (g % 3), 'robot-' || (g % 5), (7000000000000000000 + g)::text, (g * 7)::text,
         'wxid_' || (g % $2), CASE WHEN g % 10 = 0 THEN E'昵称, "引号"\\n第二行 ' || g ELSE 'Sender ' || (g % $2) END,
         'R:room-' || (g % 500), 'wxid_robot', (g % 2), 0, 103, 'app', 2, 224, 398, g % 60,
         timestamptz '2024-09-01' + g * interval '1 second', timestamptz '2024-09-01' + g * interval '1 second',
         timestamptz '2024-09-01' + g * interval '1 second' + interval '150 milliseconds', '视频消息事件',
         'https://imunion.weixin.qq.com/cgi-bin/mmae-bin/tpdownloadmedia?param=v1_' || md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text),
         'video-' || g || '.mp4', 100000 + g, md5(g::text), md5((g * 3)::text), 'v1_' || md5((g * 5)::text) || md5((g * 11)::text),
         'https://imunion.weixin.qq.com/cgi-bin/mmae-bin/tpdownloadmedia?param=v1_' || md5((g * 13)::text), 5765, 90, 120,
         jsonb_build_object('event', '20004', 'data', jsonb_build_object('serverId', g, 'duration', g % 60))
       FROM generate_series(1, $1::int) AS g`,
      [rows, senders],
    );
  } finally {
    await client.query(`RESET session_replication_role`);
    client.release();
  }
}
