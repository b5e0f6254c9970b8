// The sender: drains each target's outbox in order. The job library (lib/jobs) decides when and
// where a target's drain runs: now when a recording transaction announces new rows, later when
// the head row waits for its retry. A drain runs under a session advisory lock on the target,
// so there is one sender per target across every instance on the database; a killed instance's
// lock ends with its connection, and the next drain (anyone's) sends its unfinished rows again.
import pg from "pg";
import type { TaskList } from "graphile-worker";
import { log } from "../log";
import { metrics } from "../metrics/registry";
import { createDb, type Db } from "../db/client";
import { startJobRunner, type JobRunner } from "../jobs/runner";
import { targetsReady } from "./outbox";
import { nextPending, recordOutcomes, sequence, type Outcome, type OutboxRow } from "./sender-queries";
import { sendForward } from "./send";
import { targetLabel } from "./label";
import { syncTargets } from "./targets";

export type RelayOptions = {
  databaseUrl: string;
  urls: string[];
  events: string[] | null;
  secret?: string;
  timeoutMs: number;
  maxAgeMs: number;
  /** Rows read per query; sent one at a time, in order. */
  batch?: number;
  /** How often every instance looks for targets with rows to send (missed announcements, a dead sender). */
  sweepMs?: number;
};

const TASK = "forward_target";
/** The advisory lock class of "sending to target N" (the second key is N). */
const LOCK_CLASS = 0x46574400;
/** Results are recorded at least this often: a crash re-sends at most this many (same X-Delivery-Id). */
const RECORD_EVERY = 50;
/** A drain with nothing to send waits this long for more before it ends. */
const LINGER_MS = 2000;

/** Exponential backoff with jitter, capped at 5 minutes: 1 s, 2 s, 4 s, ... (each 50 to 100 % of it). */
export function retryDelayMs(attempts: number, random = Math.random): number {
  const ceiling = Math.min(300_000, 1000 * 2 ** Math.min(attempts - 1, 20));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export class Relay {
  private stopping = false;
  /** Targets whose drain runs in this process (it holds their lock). */
  private readonly drainingHere = new Set<number>();
  private readonly wakers = new Map<number, () => void>();
  private readonly lastQueued = new Map<number, number>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private listener: pg.Client | null = null;
  private jobs: JobRunner | null = null;

  private constructor(
    private readonly options: RelayOptions,
    private readonly pool: pg.Pool,
    /** Prisma Client on the relay's pool, for what needs no lock. */
    private readonly db: Db,
    private readonly targets: Map<number, string>,
  ) {}

  static async start(options: RelayOptions): Promise<Relay> {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.urls.length + 6, application_name: "wechat-video-dashboard:relay" });
    // An idle client losing its server must not crash the process (the next query reports it).
    pool.on("error", () => {});
    pool.on("connect", (client) => client.on("error", () => {}));
    const db = createDb(pool);
    const ids = await syncTargets(db, { urls: options.urls, events: options.events });
    const relay = new Relay(options, pool, db, new Map(ids.map((id, i) => [id, options.urls[i]])));
    const tasks: TaskList = { [TASK]: async (payload) => relay.drain((payload as { targetId: number }).targetId) };
    relay.jobs = await startJobRunner(pool, tasks, { concurrency: ids.length + 1 });
    await relay.listen();
    relay.sweepTimer = setInterval(() => void relay.sweep(), options.sweepMs ?? 2000);
    relay.sweepTimer.unref();
    void relay.sweep();
    log.info({ targets: options.urls.map((u) => targetLabel(u)), events: options.events ?? "all" }, "relay: forwarding deliveries");
    return relay;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const wake of this.wakers.values()) wake();
    await this.listener?.end().catch(() => {});
    await this.jobs?.stop().catch((err) => log.warn({ err: (err as Error).message }, "relay: job runner stop"));
    await this.db.$disconnect();
    await this.pool.end();
  }

  /** Asks for a drain of `targetId` (at `runAt`, or now). At most one request per target per 250 ms. */
  private async request(targetId: number, runAt?: Date): Promise<void> {
    if (this.stopping) return;
    if (!runAt) {
      const last = this.lastQueued.get(targetId) ?? 0;
      if (Date.now() - last < 250) return;
      this.lastQueued.set(targetId, Date.now());
    }
    await this.jobs?.add(TASK, { targetId }, { jobKey: `forward:${targetId}`, runAt, maxAttempts: 1000 }).catch((err) =>
      log.warn({ err: (err as Error).message }, "relay: could not queue a drain; the sweep will"),
    );
  }

  /** New rows were committed: a drain running here picks them up, any other target gets one. */
  private announce(): void {
    for (const id of this.targets.keys()) {
      if (this.drainingHere.has(id)) this.wakers.get(id)?.();
      else void this.request(id);
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: "wechat-video-dashboard:relay-listen" });
    client.on("error", () => {});
    client.on("notification", () => this.announce());
    client.on("end", () => {
      // Reconnected by the sweep; meanwhile the sweep alone finds new rows.
      if (this.listener === client) this.listener = null;
    });
    await client.connect();
    await client.query("LISTEN forward_outbox");
    this.listener = client;
  }

  private async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      if (!this.listener) await this.listen();
      const ready = await targetsReady(this.db);
      for (const id of ready) if (this.targets.has(id) && !this.drainingHere.has(id)) await this.request(id);
      const { rows } = await this.pool.query<{ targetId: number; n: number }>(
        `SELECT "targetId", count(*)::int AS n FROM forward_outbox WHERE state = 'pending' AND "targetId" = ANY ($1::int[]) GROUP BY 1`,
        [[...this.targets.keys()]],
      );
      for (const [id, url] of this.targets) metrics.forwardBacklog.set({ target: targetLabel(url) }, rows.find((r) => r.targetId === id)?.n ?? 0);
    } catch (err) {
      log.warn({ err: (err as Error).message.split("\n")[0] }, "relay: sweep failed");
    }
  }

  /** The job: sends the target's rows in order until none is ready, under the target's lock. */
  async drain(targetId: number): Promise<void> {
    const url = this.targets.get(targetId);
    if (!url || this.stopping) return;
    const client = await this.pool.connect();
    let retryAt: Date | null = null;
    let locked = false;
    let broken: Error | undefined;
    try {
      locked = (await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS locked", [LOCK_CLASS, targetId])).rows[0].locked;
      if (!locked) return;
      this.drainingHere.add(targetId);
      let idleSince: number | null = null;
      while (!this.stopping) {
        const state = await client.query<{ paused: boolean; active: boolean }>(`SELECT paused, active FROM forward_targets WHERE id = $1`, [targetId]);
        if (!state.rows[0]?.active || state.rows[0].paused) break;
        await sequence(client, targetId);
        const rows = await nextPending(client, targetId, this.options.batch ?? 200);
        const head = rows[0];
        if (!head) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince > LINGER_MS) break;
          await this.waitForRows(targetId, 50);
          continue;
        }
        idleSince = null;
        if (head.nextAttemptAt && head.nextAttemptAt.getTime() > Date.now()) {
          retryAt = head.nextAttemptAt;
          break;
        }
        retryAt = await this.sendInOrder(client, targetId, url, rows);
        if (retryAt) break;
      }
    } catch (err) {
      // The database went away mid-drain: the job fails (the library retries it, the sweep asks again).
      broken = err as Error;
      throw err;
    } finally {
      this.drainingHere.delete(targetId);
      this.wakers.delete(targetId);
      if (locked && !broken) await client.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_CLASS, targetId]).catch(() => {});
      // A connection that failed is closed, not reused: with it goes the lock, if it still held one.
      client.release(broken);
    }
    if (retryAt) await this.request(targetId, retryAt);
    // Rows committed between the last look and the unlock: their announcement found the lock taken.
    else if (!this.stopping && (await targetsReady(this.db)).includes(targetId)) await this.request(targetId);
  }

  private waitForRows(targetId: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakers.set(targetId, done);
    });
  }

  /** Sends rows one at a time; stops at the first that must be retried and returns when. */
  private async sendInOrder(client: pg.PoolClient, targetId: number, url: string, rows: OutboxRow[]): Promise<Date | null> {
    const label = targetLabel(url);
    const done: Outcome[] = [];
    for (const row of rows) {
      if (this.stopping) break;
      const outcome = await this.attempt(url, row);
      metrics.forwardAttempts.inc({ target: label, outcome: outcome.state === "pending" ? "retry" : outcome.state });
      if (outcome.status !== null) metrics.forwardLatency.observe({ target: label }, outcome.latencyMs / 1000);
      done.push(outcome);
      if (outcome.state === "pending") {
        log.warn({ target: label, deliveryId: row.deliveryId, status: outcome.status, answer: outcome.answer, nextAttemptAt: outcome.nextAttemptAt }, "relay: forward failed; later deliveries wait for its retry");
        await recordOutcomes(client, targetId, done);
        return outcome.nextAttemptAt;
      }
      if (outcome.state === "failed") log.warn({ target: label, deliveryId: row.deliveryId, status: outcome.status, answer: outcome.answer }, "relay: forward failed for good");
      if (done.length >= RECORD_EVERY) await recordOutcomes(client, targetId, done.splice(0));
    }
    await recordOutcomes(client, targetId, done);
    return null;
  }

  private async attempt(url: string, row: OutboxRow): Promise<Outcome> {
    const at = new Date();
    if (row.body === null) {
      return { deliveryId: row.deliveryId, state: "failed", verdict: "failed", status: null, answer: "the body is no longer kept", latencyMs: 0, nextAttemptAt: null, at };
    }
    const attempt = await sendForward(url, { deliveryId: row.deliveryId, body: Buffer.from(row.body, "utf8"), contentType: row.contentType }, {
      secret: this.options.secret,
      timeoutMs: this.options.timeoutMs,
    });
    if (attempt.verdict === "delivered") return { ...attempt, deliveryId: row.deliveryId, state: "delivered", nextAttemptAt: null, at };
    if (attempt.verdict === "failed") return { ...attempt, deliveryId: row.deliveryId, state: "failed", nextAttemptAt: null, at };
    const next = new Date(Date.now() + retryDelayMs(row.attempts + 1));
    const giveUpAt = row.receivedAt.getTime() + this.options.maxAgeMs;
    if (Date.now() >= giveUpAt) return { ...attempt, deliveryId: row.deliveryId, state: "failed", nextAttemptAt: null, at };
    // The last attempt happens when the delivery reaches FORWARD_MAX_AGE, not a backoff later.
    return { ...attempt, deliveryId: row.deliveryId, state: "pending", nextAttemptAt: new Date(Math.min(next.getTime(), giveUpAt)), at };
  }
}

// One per process, on globalThis: Next bundles instrumentation.ts and the routes separately.
const holder = globalThis as unknown as { __videoDashboardRelay?: { relay: Relay | null; stop: () => Promise<void>; firstTry: Promise<void> } };

/**
 * Starts the relay once per process (from lib/jobs/background.ts), retrying every 5 s
 * while the database cannot be reached. Returns what stops it.
 */
export function runRelay(options: RelayOptions): () => Promise<void> {
  if (holder.__videoDashboardRelay) return holder.__videoDashboardRelay.stop;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const state: { relay: Relay | null; stop: () => Promise<void>; firstTry: Promise<void> } = {
    relay: null,
    firstTry: Promise.resolve(),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await state.relay?.stop();
    },
  };
  const attempt = () =>
    Relay.start(options).then(
      (relay) => (stopped ? relay.stop() : void (state.relay = relay)),
      (err) => {
        log.error({ err: (err as Error).message.split("\n")[0] }, "relay: could not start; trying again in 5 s");
        if (!stopped) timer = setTimeout(attempt, 5000);
      },
    );
  state.firstTry = attempt();
  holder.__videoDashboardRelay = state;
  return state.stop;
}

/**
 * Resolves once the relay's first start attempt has ended (or after `ms`). The server waits for it
 * before taking callbacks, so that the targets are in the table before the first delivery is recorded.
 */
export function relayStarted(ms: number): Promise<void> {
  const first = holder.__videoDashboardRelay?.firstTry ?? Promise.resolve();
  return Promise.race([first, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
}
