// The seed's rows, generated here and sent with COPY: PostgreSQL only parses and stores them.
// Measured on 25,000 rows (docs/performance.md): generating them in SQL (INSERT ... SELECT with
// jsonb_build_object) cost PostgreSQL 2.4 to 2.6 CPU s, a COPY of the same rows 1.05 to 1.3.
// Every value of a row comes from its number and the run's seed, so a run is reproducible.
import { createHash } from "node:crypto";

export type RowShape = {
  senders: number;
  groups: number;
  privateChats: number;
  instances: number;
  /** Rows in the run: row i's age falls with i, so rows are written in time order. */
  videos: number;
  /** When the history ends; it starts 90 days earlier. */
  now: Date;
  /** The run's first serverId: each run takes a fresh range, so seeding twice adds. */
  serverIdBase: bigint;
  seed: number;
};

/** The columns each COPY line holds, in order. */
export const SEED_COLUMNS = [
  "messageKey", "instanceId", "robotId", "serverId", "localId", "fromWxId", "fromNickName", "conversationId", "toWxId",
  "messageSource", "isPc", "messageType", "appInfo", "cdnType", "width", "height", "duration", "sendTime", "eventTime",
  "receivedAt", "description", "cdnFileName", "cdnSize", "cdnPreviewSize", "cdnPreviewWidth", "cdnPreviewHeight", "raw",
] as const;

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
// and as unique-looking as the provider's.
const HEX_POOL = Array.from({ length: 16 }, (_, i) => (0x9e3779b97f4a7c15n * BigInt(i + 1)).toString(16).padStart(16, "0").slice(-16))
  .join("")
  .repeat(4);
const CDN_PREFIX = "https://imunion.weixin.qq.com/cgi-bin/mmae-bin/tpdownloadmedia?param=v1_";
const WIDTHS = [720, 1080, 224, 540, 1280, 368];
const HEIGHTS = [1280, 1920, 398, 960, 720, 640];
const DAY_MS = 86_400_000;
const DESCRIPTION = "视频消息事件";
/** Room for one COPY line: about 2,350 bytes are written per row. */
const MAX_ROW_BYTES = 4096;

/** A 32-bit integer hash (lowbias32): the row's random stream starts from hash(row, seed). */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The row's random numbers: mulberry32 from a per-row state, unsigned 32-bit each. One instance is
 * restarted per row (no closure per row: at ten million rows, allocation is what costs).
 */
class RowRandom {
  private state = 0;
  constructor(private readonly seed: number) {}
  start(row: number): void {
    this.state = mix(mix(row) ^ this.seed) | 0;
  }
  next(): number {
    const state = (this.state = (this.state + 0x6d2b79f5) | 0);
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** In [0, 1). */
  unit(): number {
    return this.next() / 4294967296;
  }
}

// Hex digits by lookup, a byte at a time: at ten million rows, building strings a character at a
// time (or with split/reverse/join, or a replace callback) cost more than the rest of the row.
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const hex8 = (n: number) => BYTE_HEX[n >>> 24] + BYTE_HEX[(n >>> 16) & 255] + BYTE_HEX[(n >>> 8) & 255] + BYTE_HEX[n & 255];
/** The word whose hex digits are n's in reverse order. */
function nibblesReversed(n: number): number {
  const swapped = ((n & 0x0f0f0f0f) << 4) | ((n >>> 4) & 0x0f0f0f0f);
  return ((swapped << 24) | ((swapped & 0xff00) << 8) | ((swapped >>> 8) & 0xff00) | (swapped >>> 24)) >>> 0;
}

/** `make(k)` for k in [0, size), each made once: per sender, conversation and robot values. */
function memo<T>(size: number, make: (k: number) => T): (k: number) => T {
  const made: (T | undefined)[] = new Array(size);
  return (k) => (made[k] ??= make(k));
}

/** Sender number -> its wxid, stable across runs (an md5 of the number). */
const senderIdOf = (who: number) => `wxid_${createHash("md5").update(`sender${who}`).digest("hex").slice(0, 14)}`;

function nicknameOf(who: number): string {
  const name =
    who % 10 === 9 ? EMOJI_NAMES[Math.floor(who / 10) % EMOJI_NAMES.length]
    : who % 3 === 0 ? LATIN_NAMES[who % LATIN_NAMES.length] + (who % 4 === 0 ? ` ${who % 997}` : "")
    : SURNAMES[Math.floor(who / 3) % SURNAMES.length] + GIVEN_NAMES[Math.floor(who / 90) % GIVEN_NAMES.length];
  return name + DECORATIONS[Math.floor(who / 7) % DECORATIONS.length];
}

// Values go into COPY text and JSON strings unescaped: none may hold a character either escapes.
for (const name of [...SURNAMES, ...GIVEN_NAMES, ...LATIN_NAMES, ...EMOJI_NAMES, ...DECORATIONS]) {
  if (/[\\"\t\n\r]/.test(name)) throw new Error(`seed name ${JSON.stringify(name)} would need escaping`);
}

/** COPY text lines (SEED_COLUMNS, tab-separated, each ending in a newline) for rows [first, last), UTF-8. */
export function seedRowGenerator(shape: RowShape) {
  const senderId = memo(shape.senders, senderIdOf);
  const nickname = memo(shape.senders, nicknameOf);
  const oldNickname = memo(shape.senders, (who) => `${nicknameOf(who)}（旧）`);
  const robotNickname = memo(shape.instances, (inst) => `Robot ${inst}`);
  const robotOf = memo(shape.instances, (inst) => `wxid_robot${String(inst).padStart(3, "0")}`);
  const instanceIdOf = memo(shape.instances, (inst) => `a7c3${String(inst).padStart(4, "0")}82a1439c86df3143ef4975c5`);
  const groupOf = memo(shape.groups, (grp) => `R:${18000000000 + grp * 7717}@chatroom`);
  // A private chat is one robot and one sender, both set by its number.
  const privateSender = (chat: number) => (chat * 104729 + 13) % shape.senders;
  const privateOf = memo(shape.privateChats, (chat) => `S:${robotOf(chat % shape.instances)}_${senderId(privateSender(chat))}`);
  const endMs = shape.now.getTime();
  const random = new RowRandom(shape.seed);
  const localIdBase = 7053704521966022857n - shape.serverIdBase / 3n;
  return function lines(first: number, last: number): Buffer {
    // Each row is written into one buffer as it is made: concatenating a batch into one string
    // and encoding it afterwards cost twice the generation itself (garbage collection above all).
    let out = Buffer.allocUnsafe((last - first) * MAX_ROW_BYTES);
    let at = 0;
    for (let i = first; i < last; i++) {
      random.start(i);
      // Squared: most of the history is recent, as in any live account. The age falls with the row
      // number (plus a jitter), so rows are written in time order as a live table receives them: a
      // newest-first walk reads adjacent pages, not random ones.
      const age = (shape.videos - i - random.unit()) / shape.videos;
      const sendMs = Math.round(endMs - 90 * DAY_MS * age * age);
      // Activity is Zipf-like: a conversation is drawn as floor(n * u^a) (a few busy ones, a long
      // tail), and in a group the first members post most.
      const inGroup = random.next() % 100 < 70;
      const uConv = random.unit();
      const conv = inGroup ? Math.floor(shape.groups * uConv ** 1.6) : Math.floor(shape.privateChats * uConv ** 1.4);
      const uMember = random.unit();
      // Group members: about forty senders from the group's own offset; a private chat: one sender.
      const who = inGroup ? (conv * 7919 + Math.floor(41 * uMember * uMember)) % shape.senders : privateSender(conv);
      const inst = conv % shape.instances;
      const robot = robotOf(inst);
      const sender = senderId(who);
      // One sender in eight changed nickname a month ago.
      const nick = who % 8 === 0 && sendMs < endMs - 30 * DAY_MS ? oldNickname(who) : nickname(who);
      const isOut = random.next() % 100 < 15;
      const conversation = inGroup ? groupOf(conv) : privateOf(conv);
      const duration = 1 + Math.floor(299 * random.unit() ** 2.2);
      const dims = random.next() % 6;
      const w = WIDTHS[dims];
      const h = HEIGHTS[dims];
      const [d1, d2, d3, d4] = [random.next(), random.next(), random.next(), random.next()];
      const digest = hex8(d1) + hex8(d2) + hex8(d3) + hex8(d4);
      const digestReversed = hex8(nibblesReversed(d4)) + hex8(nibblesReversed(d3)) + hex8(nibblesReversed(d2)) + hex8(nibblesReversed(d1));
      // Each digit d becomes 15 - d: the bitwise complement, word by word.
      const digestInverted = hex8(~d1 >>> 0) + hex8(~d2 >>> 0) + hex8(~d3 >>> 0) + hex8(~d4 >>> 0);
      const fromId = isOut ? robot : sender;
      const fromNick = isOut ? robotNickname(inst) : nick;
      const toId = isOut ? sender : robot;
      const serverId = (shape.serverIdBase + BigInt(i)).toString();
      const localId = (localIdBase + BigInt(i * 13)).toString();
      const instanceId = instanceIdOf(inst);
      const url = CDN_PREFIX + digest + HEX_POOL.substr(random.next() % 512, 448);
      const previewUrl = CDN_PREFIX + digestReversed + HEX_POOL.substr(random.next() % 512, 448);
      const size = duration * (120000 + (random.next() % 280000));
      const previewSize = 5000 + (random.next() % 60000);
      const authKey = `v1_${digestInverted}${HEX_POOL.substr(random.next() % 512, 96)}`;
      const isPc = random.next() % 10 === 0 ? 1 : 0;
      const source = isOut ? 1 : 0;
      const sent = new Date(sendMs).toISOString();
      const received = new Date(sendMs + (random.next() % 3000)).toISOString();
      const pw = Math.floor(w / 4);
      const ph = Math.floor(h / 4);
      const fileName = `${digest}.mp4`;
      if (at + MAX_ROW_BYTES > out.length) out = Buffer.concat([out.subarray(0, at), Buffer.allocUnsafe(out.length)]);
      at += out.write(
        `${serverId}\t${instanceId}\t${robot}\t${serverId}\t${localId}\t${fromId}\t${fromNick}\t${conversation}\t${toId}\t` +
          `${source}\t${isPc}\t103\tseed\t2\t${w}\t${h}\t${duration}\t${sent}\t${sent}\t${received}\t${DESCRIPTION}\t` +
          `${fileName}\t${size}\t${previewSize}\t${pw}\t${ph}\t` +
          // raw, the provider's envelope:
          `{"event":"20004","description":"${DESCRIPTION}","time":${sendMs},"data":{"instanceId":"${instanceId}","robotId":"${robot}",` +
          `"sendTime":${sendMs},"localId":"${localId}","serverId":"${serverId}","appInfo":"seed","messageType":103,"cdnType":2,` +
          `"height":${h},"width":${w},"duration":${duration},"messageSource":${source},"conversationId":"${conversation}",` +
          `"fromWxId":"${fromId}","toWxId":"${toId}","fromNickName":"${fromNick}","isPc":${isPc},"cdnData":{` +
          `"aes_key":"${digestReversed}","auth_key":"${authKey}","file_name":"${fileName}","md5":"${digest}","size":${size},` +
          `"url":"${url}","preview_img_url":"${previewUrl}","preview_img_size":${previewSize},"width":${pw},"height":${ph}}}}\n`,
        at,
      );
    }
    return out.subarray(0, at);
  };
}
