// Live updates: one LISTEN connection per process on the `video_events` channel (a trigger
// announces every stored batch's ids), fanned out to every open /api/stream. Because the
// signal travels through PostgreSQL, a video stored by any app instance reaches all of them.
import pg from "pg";
import { log } from "../log";
import { isBigintId } from "../shared/paging";
import { ITEM_COLUMNS, toItem, type ItemRow, type VideoListItem } from "../videos/item";

export const CHANNEL = "video_events";
/** Ids of deleted videos (DELETE /api/videos, retention): open pages drop their cards. */
export const DELETED_CHANNEL = "video_events_deleted";

export type LiveSubscriber = {
  video: (item: VideoListItem) => void;
  /** The listener reconnected: anything stored meanwhile was missed, so views should reload. */
  resync: () => void;
  deleted?: (ids: string[]) => void;
};

export type LiveHub = {
  subscribe: (s: LiveSubscriber) => () => void;
  /** Resolves once LISTEN is in place (tests wait on it). */
  ready: () => Promise<void>;
  subscriberCount: () => number;
  /** The highest video id stored so far ("0" when none): where a new client's stream starts. */
  latestId: () => Promise<string>;
  /** Up to `limit` videos stored after `afterId`, oldest first: a reconnecting client's catch-up. */
  videosAfter: (afterId: string, limit: number) => Promise<VideoListItem[]>;
  /** Ids announced while a read is under way, waiting for the next one (tests wait on it). */
  waitingIds: () => readonly string[];
  close: () => Promise<void>;
};

type Options = {
  connectionString: string;
  pool: pg.Pool;
  maxDelayMs?: number;
  /** Adds what pages show beside a video (its conversation's name, its robot's label); items go out without it if it fails. */
  decorate?: (items: VideoListItem[]) => Promise<VideoListItem[]>;
};

/** Notification payloads are comma-separated ids; anything else is ignored. */
export function parseIds(payload: string | undefined): string[] {
  return (payload ?? "").split(",").filter(isBigintId);
}

export function createLiveHub({ connectionString, pool, maxDelayMs = 5000, decorate }: Options): LiveHub {
  const decorated = async (items: VideoListItem[]) =>
    decorate && items.length > 0
      ? decorate(items).catch((err) => {
          log.warn({ err }, "live: could not name the announced videos' conversations");
          return items;
        })
      : items;
  const subscribers = new Set<LiveSubscriber>();
  let client: pg.Client | null = null;
  let closed = false;
  let started = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;
  let readyWaiters: (() => void)[] = [];
  let listening = false;

  const emit = (fn: (s: LiveSubscriber) => void) => {
    for (const s of subscribers) {
      try {
        fn(s);
      } catch (err) {
        log.warn({ err }, "live subscriber failed");
      }
    }
  };

  // One read at a time: ids announced while a read is under way wait for it and go together in
  // the next. Under load (hundreds of small grouped inserts a second, each announced) this is a
  // read per few batches instead of per batch; when idle, a video goes out at once.
  let waiting: string[] = [];
  let reading = false;

  function announce(ids: string[]) {
    if (ids.length === 0 || subscribers.size === 0) return;
    waiting.push(...ids);
    if (!reading) void readWaiting();
  }

  async function readWaiting() {
    reading = true;
    try {
      while (waiting.length > 0 && subscribers.size > 0) {
        const ids = waiting;
        waiting = [];
        const { rows } = await pool
          .query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM video_events WHERE id = ANY($1::bigint[]) ORDER BY "sendTime", id`, [ids])
          .catch((err) => {
            log.warn({ err }, "live: could not read announced videos");
            return { rows: [] as ItemRow[] };
          });
        for (const item of await decorated(rows.map(toItem))) emit((s) => s.video(item));
      }
    } finally {
      waiting = [];
      reading = false;
    }
  }

  async function connect() {
    if (closed) return;
    const c = new pg.Client({ connectionString, keepAlive: true, application_name: "wechat-video-dashboard live" });
    client = c;
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = null;
      listening = false;
      c.removeAllListeners("notification");
      c.end().catch(() => {});
      if (closed) return;
      const delay = Math.min(maxDelayMs, 250 * 2 ** attempt++);
      log.warn({ err: err?.message, delay }, "live listener lost its database connection; reconnecting");
      timer = setTimeout(() => void connect(), delay);
    };
    c.on("error", lost);
    c.on("end", () => lost());
    c.on("notification", (msg) => {
      if (msg.channel === CHANNEL) announce(parseIds(msg.payload));
      if (msg.channel === DELETED_CHANNEL) {
        const ids = parseIds(msg.payload);
        if (ids.length > 0) emit((s) => s.deleted?.(ids));
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}; LISTEN ${DELETED_CHANNEL}`);
    } catch (err) {
      lost(err as Error);
      return;
    }
    if (client !== c) return;
    listening = true;
    // A reconnection (not the first connection) may have missed videos.
    if (attempt > 0) emit((s) => s.resync());
    attempt = 0;
    for (const w of readyWaiters) w();
    readyWaiters = [];
  }

  const start = () => {
    if (started) return;
    started = true;
    void connect();
  };

  return {
    subscribe(s) {
      subscribers.add(s);
      start();
      return () => subscribers.delete(s);
    },
    ready() {
      start();
      return listening ? Promise.resolve() : new Promise((r) => readyWaiters.push(r));
    },
    subscriberCount: () => subscribers.size,
    waitingIds: () => waiting,
    async latestId() {
      const { rows } = await pool.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM video_events`);
      return rows[0].id;
    },
    async videosAfter(afterId, limit) {
      const { rows } = await pool.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM video_events WHERE id > $1::bigint ORDER BY id LIMIT $2`, [afterId, limit]);
      return decorated(rows.map(toItem));
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      subscribers.clear();
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

// One hub per process, kept on globalThis so module reloads in development do not open more.
const holder = globalThis as unknown as { __videoDashboardLiveHub?: LiveHub };

export function liveHub(make: () => LiveHub): LiveHub {
  return (holder.__videoDashboardLiveHub ??= make());
}
