// Realistic video events written straight into video_events, for demos and benchmarks.
// Rows are generated inside PostgreSQL (INSERT ... SELECT FROM generate_series): nothing
// crosses the wire but the parameters, which is what makes a million rows fit in a minute.
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Pool } from "pg";
import { rebuildSummaries } from "./rebuild-summaries";

export type SeedOptions = {
  videos: number;
  /** How many distinct senders the history draws from (default: one per 50 videos). */
  senders?: number;
  /** How many conversations, groups and private chats together (default: one per 200 videos). */
  conversations?: number;
  /** Rows per INSERT statement. */
  chunkSize?: number;
  /**
   * "triggers": the summary triggers run per chunk, as for any other writer.
   * "rebuild": this session skips the triggers (session_replication_role, needs a superuser)
   * and the summaries are rebuilt once at the end; faster for large loads.
   */
  summaries?: "triggers" | "rebuild";
  /** When the seeded history ends; it starts 90 days earlier. */
  now?: Date;
  /** Into an empty table, drop the secondary indexes and build them after the load (default from 100k rows). */
  deferIndexes?: boolean;
  /** Connections inserting at once (rebuild mode only: with the triggers on, always one). */
  parallel?: number;
  onProgress?: (done: number, total: number) => void;
  /** Told when the load moves on to building indexes or summaries (minutes each at 10M rows). */
  onPhase?: (phase: string) => void;
};

export type SeedShape = { senders: number; groups: number; privateChats: number; instances: number };

/**
 * About one sender per 50 videos and one conversation per 200 (four in ten of them groups), as a
 * fleet of robots sees them; one robot per 50,000 videos, at least 3 and at most 200.
 */
export function seedShape(videos: number, counts: { senders?: number; conversations?: number } = {}): SeedShape {
  const senders = counts.senders ?? Math.max(20, Math.ceil(videos / 50));
  const conversations = Math.max(2, counts.conversations ?? Math.max(10, Math.ceil(videos / 200)));
  const groups = Math.max(1, Math.round(conversations * 0.4));
  return { senders, groups, privateChats: conversations - groups, instances: Math.min(200, Math.max(3, Math.ceil(videos / 50_000))) };
}

// Chinese nicknames are a surname and a given name (30 x 40 combinations), Latin ones a first name
// with sometimes a number, some are emoji; a few in ten carry a decoration. Common fragments (a
// surname such as 张) and rare ones (a name with its number) both exist, as in a real fleet.
const SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹".split("");
const GIVEN_NAMES = [
  "伟", "娜", "芳", "静", "洋", "帆", "磊", "婷", "杰", "敏", "悦", "超", "琳", "小明", "晓雪", "大伟", "丽丽", "小夕",
  "以琛", "圆圆", "小黑", "佳", "甜甜", "小姐", "大为", "一凡", "子涵", "浩然", "欣怡", "梓萱", "思远", "雨桐", "俊杰",
  "诗涵", "天佑", "可馨", "明轩", "若曦", "宇航", "嘉怡",
];
const LATIN_NAMES = [
  "Alice", "Bob Chen", "Lily", "Tom W.", "Kevin", "Grace Li", "Jason", "Mia", "Leo Zhang", "Sunny", "Coco", "Eric",
  "Vivian", "Daniel", "Nina_88", "Frank", "Jojo", "Ray", "Selina", "Ivy Wang", "Max", "Luna", "Andy Lau fan", "Zoe",
];
const EMOJI_NAMES = ["🐼🐼", "🌈", "😀阳光", "🍉西瓜🍉", "⭐️", "🐶汪", "🌙Moon", "🔥🔥🔥"];
const DECORATIONS = ["", "", "", "", "", "🌸", "🍀", "~", "_official", "🐱", "❤️", "（在忙）"];

// A fixed run of hex digits that CDN parameters are cut from, behind a per-row digest: as long
// and as unique-looking as the provider's, without hashing the whole string per row.
const HEX_POOL = Array.from({ length: 16 }, (_, i) => (0x9e3779b97f4a7c15n * BigInt(i + 1)).toString(16).padStart(16, "0").slice(-16))
  .join("")
  .repeat(4);

// $1 first index, $2 last index + 1, $3 serverId base, $4 senders, $5 groups, $6 instances,
// $7 end of history, $8 random seed, $9 private chats, $10 hex pool, $11 surnames, $12 given
// names, $13 Latin names, $14 emoji names, $15 decorations, $16 videos in this run.
// The CDN strings (links, keys, md5) are only in raw, as the receiver stores them (lib/shared/cdn-strings).
// The costly CTEs are MATERIALIZED: inlined, each derived value would be recomputed wherever it
// is used; `rows` (cheap expressions) is cheaper inlined than copied (measured).
// Activity is Zipf-like: a conversation is drawn as floor(n * u^a) (a few busy ones, a long
// tail), and in a group the first members post most.
const INSERT_CHUNK_SQL = `
WITH h AS MATERIALIZED (
  SELECT i,
    hashint8extended(i, $8) & 9223372036854775807 AS h1,
    hashint8extended(i, $8 + 1) & 9223372036854775807 AS h2,
    hashint8extended(i, $8 + 2) & 9223372036854775807 AS h3
  FROM generate_series($1::bigint, $2::bigint - 1) AS i
), u AS (
  SELECT i, h1, h2, h3,
    -- The age falls with the row number (plus a per-row jitter), so rows are written in time
    -- order as a live table receives them: a newest-first walk reads adjacent pages, not random ones.
    ($16::bigint - i - (h1 % 1000003) / 1000003.0::float8) / $16::bigint AS u_age,
    (h2 % 1000003) / 1000003.0::float8 AS u_conv,
    (h3 % 1000003) / 1000003.0::float8 AS u_len,
    (h3 / 1000003) % 1009 / 1009.0::float8 AS u_member,
    (h1 / 1000003) % 100 AS kind_pct,
    (h2 / 1000003) % 100 AS out_pct
  FROM h
), chat AS (
  SELECT u.*,
    -- Squared: most of the history is recent, as in any live account.
    $7::timestamptz - make_interval(secs => 90 * 86400 * u_age * u_age) AS send_time,
    CASE WHEN kind_pct < 70 THEN floor($5::int * power(u_conv, 1.6))::int END AS grp,
    CASE WHEN kind_pct >= 70 THEN floor($9::int * power(u_conv, 1.4))::int END AS priv
  FROM u
), picked AS MATERIALIZED (
  SELECT c.*,
    -- Group members: about forty senders from the group's own offset; a private chat: one sender.
    CASE WHEN grp IS NOT NULL THEN (grp::bigint * 7919 + floor(41 * u_member * u_member)::int) % $4::int
      ELSE (priv::bigint * 104729 + 13) % $4::int END AS who,
    'wxid_robot' || lpad((coalesce(grp, priv) % $6::int)::text, 3, '0') AS robot,
    coalesce(grp, priv) % $6::int AS inst,
    md5(i::text || ':' || $8) AS digest
  FROM chat c
), senders AS (
  SELECT p.*,
    'wxid_' || substr(md5('sender' || who), 1, 14) AS sender_id,
    CASE WHEN who % 10 = 9 THEN ($14::text[])[1 + (who / 10) % cardinality($14::text[])]
      WHEN who % 3 = 0 THEN ($13::text[])[1 + who % cardinality($13::text[])] || CASE WHEN who % 4 = 0 THEN ' ' || (who % 997) ELSE '' END
      ELSE ($11::text[])[1 + (who / 3) % cardinality($11::text[])] || ($12::text[])[1 + (who / 90) % cardinality($12::text[])] END
      || ($15::text[])[1 + (who / 7) % cardinality($15::text[])] AS nick_now
  FROM picked p
), rows AS (
  SELECT s.*,
    out_pct < 15 AS is_out,
    -- One sender in eight changed nickname a month ago.
    CASE WHEN who % 8 = 0 AND send_time < $7::timestamptz - interval '30 days' THEN nick_now || '（旧）' ELSE nick_now END AS nick,
    CASE WHEN grp IS NOT NULL THEN 'R:' || (18000000000 + grp * 7717)::text || '@chatroom'
      ELSE 'S:' || robot || '_' || sender_id END AS conversation,
    1 + floor(299 * power(u_len, 2.2))::int AS dur,
    (ARRAY[720, 1080, 224, 540, 1280, 368])[1 + (h3 / 97) % 6] AS w,
    (ARRAY[1280, 1920, 398, 960, 720, 640])[1 + (h3 / 97) % 6] AS ht
  FROM senders s
), final AS MATERIALIZED (
  SELECT r.*,
    CASE WHEN is_out THEN robot ELSE sender_id END AS from_id,
    CASE WHEN is_out THEN 'Robot ' || inst ELSE nick END AS from_nick,
    CASE WHEN is_out THEN sender_id ELSE robot END AS to_id,
    ($3::bigint + i)::text AS server_id,
    (7053704521966022857 - $3::bigint / 3 + i * 13)::text AS local_id,
    'a7c3' || lpad(inst::text, 4, '0') || '82a1439c86df3143ef4975c5' AS instance_id,
    'https://imunion.weixin.qq.com/cgi-bin/mmae-bin/tpdownloadmedia?param=v1_' || digest
      || substr($10::text, 1 + (h1 % 512)::int, 448) AS url,
    'https://imunion.weixin.qq.com/cgi-bin/mmae-bin/tpdownloadmedia?param=v1_' || reverse(digest)
      || substr($10::text, 1 + (h2 % 512)::int, 448) AS preview_url,
    dur::bigint * (120000 + (h2 % 280000)) AS size,
    5000 + (h3 % 60000) AS preview_size,
    reverse(digest) AS aes_key,
    'v1_' || translate(digest, '0123456789abcdef', 'fedcba9876543210') || substr($10::text, 1 + (h3 % 512)::int, 96) AS auth_key,
    (extract(epoch FROM send_time) * 1000)::bigint AS send_ms,
    send_time + make_interval(secs => (h1 % 3000) / 1000.0) AS received
  FROM rows r
)
INSERT INTO video_events ("messageKey", "instanceId", "robotId", "serverId", "localId", "fromWxId", "fromNickName",
  "conversationId", "toWxId", "messageSource", "isPc", "messageType", "appInfo", "cdnType", width, height, duration,
  "sendTime", "eventTime", "receivedAt", description, "cdnFileName", "cdnSize", "cdnPreviewSize", "cdnPreviewWidth",
  "cdnPreviewHeight", raw)
SELECT server_id, instance_id, robot, server_id, local_id, from_id, from_nick,
  conversation, to_id, CASE WHEN is_out THEN 1 ELSE 0 END, CASE WHEN h1 % 10 = 0 THEN 1 ELSE 0 END, 103, 'seed', 2, w, ht, dur,
  send_time, send_time, received, '视频消息事件', digest || '.mp4', size, preview_size, w / 4, ht / 4,
  jsonb_build_object('event', '20004', 'description', '视频消息事件', 'time', send_ms, 'data', jsonb_build_object(
    'instanceId', instance_id, 'robotId', robot, 'sendTime', send_ms, 'localId', local_id, 'serverId', server_id,
    'appInfo', 'seed', 'messageType', 103, 'cdnType', 2, 'height', ht, 'width', w, 'duration', dur,
    'messageSource', CASE WHEN is_out THEN 1 ELSE 0 END, 'conversationId', conversation, 'fromWxId', from_id,
    'toWxId', to_id, 'fromNickName', from_nick, 'isPc', CASE WHEN h1 % 10 = 0 THEN 1 ELSE 0 END,
    'cdnData', jsonb_build_object('aes_key', aes_key, 'auth_key', auth_key, 'file_name', digest || '.mp4',
      'md5', digest, 'size', size, 'url', url, 'preview_img_url', preview_url, 'preview_img_size', preview_size,
      'width', w / 4, 'height', ht / 4)))
FROM final`;
// Fresh serverIds per run make a clash unlikely, not impossible: with the identity index in place
// a clashing row is skipped. Without it (an empty table being loaded) there is nothing to clash with.
const INSERT_CHUNK_SKIPPING_CLASHES_SQL = `${INSERT_CHUNK_SQL}
ON CONFLICT ("instanceId", "messageKey", "sendTime") DO NOTHING`;

export type SeedResult = {
  inserted: number;
  seconds: number;
  insertSeconds: number;
  /** CPU seconds the inserting PostgreSQL backends used, when they run on this machine (Linux). */
  insertCpuSeconds: number | null;
  /** CPU seconds the summary rebuild's backend used (null when unknown or with the triggers on). */
  summaryCpuSeconds: number | null;
  summaries: "triggers" | "rebuild";
};

/** User + system CPU seconds of a local process, from /proc; null when it cannot be read. */
function cpuSeconds(pid: number): number | null {
  try {
    // After the command name: state is the 3rd field, utime the 14th, stime the 15th (in 1/100 s).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Writes `videos` new video events; returns how many were inserted (all, barring an id clash). */
export async function seedVideos(db: Pool, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const mode = options.summaries ?? "triggers";
  // The notify trigger's payload (every new id) must stay under PostgreSQL's 8000 bytes.
  const chunkSize = options.chunkSize ?? (mode === "triggers" ? 500 : 25_000);
  const shape = seedShape(options.videos, options);
  const now = options.now ?? new Date();
  // A fresh id range per run, so seeding twice adds rather than collides.
  const serverIdBase = BigInt(randomInt(1, 2 ** 40)) * 1_048_576n + 1_000_000_000_000_000_000n;
  const seed = randomInt(1, 2 ** 31);
  const chunks: [number, number][] = [];
  for (let start = 0; start < options.videos; start += chunkSize) chunks.push([start, Math.min(options.videos, start + chunkSize)]);
  let inserted = 0;
  let done = 0;
  // Generating rows (jsonb above all) is CPU work in PostgreSQL: one connection per core.
  // CPU used per backend (null when it cannot be read): a figure the machine's load does not skew.
  const cpuUsed: (number | null)[] = [];
  // Into an empty table, building the indexes once afterwards is cheaper than maintaining them row
  // by row, the unique identity index above all (random keys: at a million rows its inserts no
  // longer stay in memory). The primary key stays. Meanwhile the receiver's insert, which names
  // the identity index, fails as if the database were away: callbacks go to the spool and are
  // stored once the index is back.
  const deferred = mode === "rebuild" && (options.deferIndexes ?? options.videos >= 100_000) ? await dropIndexesIfEmpty(db) : [];
  const insertSql = deferred.some((i) => i.name === "video_events_identity_key") ? INSERT_CHUNK_SQL : INSERT_CHUNK_SKIPPING_CLASHES_SQL;
  try {
    await insertChunks();
  } finally {
    if (deferred.length) options.onPhase?.(`building ${deferred.length} indexes...`);
    cpuUsed.push(await recreateIndexes(db, deferred));
  }
  const insertSeconds = (performance.now() - started) / 1000;
  const insertCpuSeconds = cpuUsed.includes(null) ? null : cpuUsed.reduce<number>((sum, c) => sum + (c ?? 0), 0);
  // The notify trigger was skipped too, on purpose: a bulk load is history, not live news.
  let summaryCpuSeconds: number | null = null;
  if (mode === "rebuild") {
    options.onPhase?.("rebuilding the summaries...");
    const client = await db.connect();
    try {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const before = cpuSeconds(rows[0].pid);
      await rebuildSummaries(client);
      const after = cpuSeconds(rows[0].pid);
      summaryCpuSeconds = before === null || after === null ? null : after - before;
    } finally {
      client.release();
    }
  }
  return { inserted, seconds: (performance.now() - started) / 1000, insertSeconds, insertCpuSeconds, summaryCpuSeconds, summaries: mode };

  // Chunks are handed out to one connection per core until none are left.
  async function insertChunks() {
    // With the triggers on, one connection: two concurrent multi-row inserts upsert the same summary
    // rows in different orders and deadlock (seen here; see docs/performance.md).
    const parallel = mode === "triggers" ? 1 : (options.parallel ?? 2);
    const workers = Array.from({ length: Math.min(parallel, chunks.length) }, async () => {
      const client = await db.connect();
      try {
        const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        const pid = rows[0].pid;
        const cpuBefore = cpuSeconds(pid);
        if (mode === "rebuild") await client.query("SET session_replication_role = replica");
        await client.query("SET work_mem = '256MB'");
        // Each row's raw envelope (with its long CDN URLs) is big enough to be compressed; lz4
        // costs a quarter less CPU than the default pglz here, for the same size. Readers need
        // nothing: the method is stored with each value. Older servers without lz4 keep pglz.
        await client.query("SET default_toast_compression = lz4").catch(() => {});
        for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
          const result = await client.query(insertSql, [
            chunk[0], chunk[1], serverIdBase.toString(), shape.senders, shape.groups, shape.instances, now, seed,
            shape.privateChats, HEX_POOL, SURNAMES, GIVEN_NAMES, LATIN_NAMES, EMOJI_NAMES, DECORATIONS, options.videos,
          ]);
          inserted += result.rowCount ?? 0;
          done += chunk[1] - chunk[0];
          options.onProgress?.(done, options.videos);
        }
        const cpuAfter = cpuSeconds(pid);
        cpuUsed.push(cpuAfter === null || cpuBefore === null ? null : cpuAfter - cpuBefore);
      } finally {
        await client.query("RESET session_replication_role; RESET work_mem; RESET default_toast_compression").catch(() => {});
        client.release();
      }
    });
    await Promise.all(workers);
  }
}

type IndexDefinition = { name: string; definition: string };

async function dropIndexesIfEmpty(db: Pool): Promise<IndexDefinition[]> {
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    // The lock keeps a writer from slipping rows in between the check and the drop.
    await client.query("LOCK TABLE video_events IN SHARE ROW EXCLUSIVE MODE");
    const { rows: [{ empty }] } = await client.query<{ empty: boolean }>("SELECT NOT EXISTS (SELECT 1 FROM video_events) AS empty");
    if (!empty) {
      await client.query("ROLLBACK");
      return [];
    }
    const { rows } = await client.query<IndexDefinition>(
      `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       WHERE x.indrelid = 'video_events'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    );
    for (const index of rows) await client.query(`DROP INDEX "${index.name}"`);
    await client.query("COMMIT");
    return rows;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Builds the indexes, two at a time; returns the CPU seconds the builds took (null if unknown). */
async function recreateIndexes(db: Pool, indexes: IndexDefinition[]): Promise<number | null> {
  if (indexes.length === 0) return 0;
  const queue = [...indexes];
  const used = await Promise.all(
    [0, 1].map(async () => {
      const client = await db.connect();
      try {
        const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        const before = cpuSeconds(rows[0].pid);
        await client.query("SET maintenance_work_mem = '512MB'");
        for (let index = queue.shift(); index; index = queue.shift()) await client.query(index.definition);
        const after = cpuSeconds(rows[0].pid);
        return before === null || after === null ? null : after - before;
      } finally {
        await client.query("RESET maintenance_work_mem").catch(() => {});
        client.release();
      }
    }),
  );
  return used.includes(null) ? null : used.reduce<number>((sum, c) => sum + (c ?? 0), 0);
}
