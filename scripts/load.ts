// npm run load -- --rate N --duration S [--connections C] [--url U] [--token T]
// Posts realistic, unique 20004 callbacks at a steady rate (or, with --rate 0, as fast as C
// connections allow), then reports the rate held, latency percentiles, errors, and, when
// DATABASE_URL is set, whether the rows stored equal the deliveries answered 200.
import "./env";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";

const example = JSON.parse(readFileSync(new URL("../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

export type LoadOptions = {
  url: string;
  /** Requests per second; 0: as fast as the connections go (closed loop). */
  rate: number;
  durationS: number;
  connections: number;
  token?: string;
  /** Every callback of a run carries this instanceId, so its rows can be counted. */
  instanceId?: string;
  /** Builds the body of the i-th request (default: a realistic unique video). */
  body?: (i: number, instanceId: string) => Buffer;
  path?: string;
};

export type LoadReport = {
  instanceId: string;
  sent: number;
  answered: Record<string, number>;
  ok: number;
  errors: number;
  /** serverIds of the deliveries answered 200. */
  okKeys: string[];
  seconds: number;
  ratePerS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
};

const senders = Array.from({ length: 200 }, (_, i) => ({ id: `wxid_load${i.toString(36)}`, nick: `用户${i}` }));

/** A 20004 callback as the provider sends it: unique ids, one of 200 senders in one of 50 chats. */
export function realisticCallback(i: number, instanceId: string): Buffer {
  const sender = senders[(i * 7919) % senders.length];
  const now = Date.now();
  const param = randomBytes(48).toString("hex");
  return Buffer.from(
    JSON.stringify({
      ...example,
      time: now,
      data: {
        ...example.data,
        instanceId,
        serverId: `${now}${String(i).padStart(6, "0")}`,
        localId: `${i}`,
        fromWxId: sender.id,
        fromNickName: sender.nick,
        conversationId: i % 3 === 0 ? sender.id : `R:${10000 + (i % 50)}@chatroom`,
        sendTime: now,
        duration: 1 + (i % 60),
        cdnData: { ...example.data.cdnData, url: `https://imunion.weixin.qq.com/cgi-bin/mmae-bin/tpdownloadmedia?param=${param}`, size: 100_000 + i },
      },
    }),
  );
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const instanceId = options.instanceId ?? `load-${randomBytes(4).toString("hex")}`;
  const build = options.body ?? realisticCallback;
  const target = new URL(options.path ?? "/api/callback", options.url);
  if (options.token) target.searchParams.set("token", options.token);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const answered: Record<string, number> = {};
  const okKeys: string[] = [];
  let sent = 0;
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  const endAt = started + options.durationS * 1000;

  const post = (i: number): Promise<void> => {
    const body = build(i, instanceId);
    const t0 = performance.now();
    sent++;
    return new Promise((resolve) => {
      const req = http.request(target, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          const status = String(res.statusCode);
          answered[status] = (answered[status] ?? 0) + 1;
          if (res.statusCode === 200) {
            ok++;
            okKeys.push(keyOf(body));
          } else errors++;
          resolve();
        });
      });
      req.on("error", (err) => {
        answered[err.message] = (answered[err.message] ?? 0) + 1;
        errors++;
        resolve();
      });
      req.end(body);
    });
  };

  if (options.rate > 0) {
    // Open loop: request i leaves at started + i / rate, whatever the answers take.
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; ; i++) {
      const due = started + (i * 1000) / options.rate;
      if (due >= endAt) break;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const p = post(i).then(() => void inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < endAt) await post(next++);
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
  return {
    instanceId,
    sent,
    answered,
    ok,
    errors,
    okKeys,
    seconds: round(seconds),
    ratePerS: round(latencies.length / seconds),
    latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: round(latencies.at(-1) ?? 0) },
  };
}

function keyOf(body: Buffer): string {
  try {
    return String(JSON.parse(body.toString("utf8"))?.data?.serverId ?? "");
  } catch {
    return "";
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Rows of the run's instance in video_events, and how many distinct keys answered 200 are among them. */
export async function countStored(databaseUrl: string, report: LoadReport): Promise<{ rows: number; okStored: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ rows: number; okStored: number }>(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE "messageKey" = ANY($2))::int AS "okStored"
       FROM video_events WHERE "instanceId" = $1`,
      [report.instanceId, report.okKeys],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "http://127.0.0.1:3000" },
      rate: { type: "string", default: "200" },
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "50" },
      token: { type: "string" },
      path: { type: "string", default: "/api/callback" },
    },
  });
  const options: LoadOptions = {
    url: values.url!,
    rate: Number(values.rate),
    durationS: Number(values.duration),
    connections: Number(values.connections),
    token: values.token,
    path: values.path,
  };
  if (![options.rate, options.durationS, options.connections].every((n) => Number.isFinite(n) && n >= 0) || options.connections < 1) {
    console.error("usage: npm run load -- --rate N --duration S [--connections C] [--url U] [--token T]  (--rate 0: as fast as possible)");
    process.exit(2);
  }
  const target = options.rate > 0 ? `${options.rate}/s` : "as fast as possible";
  console.log(`posting ${target} for ${options.durationS} s over up to ${options.connections} connections to ${options.url}${options.path}`);
  const report = await runLoad(options);
  console.log(`rate held:   ${report.ratePerS} req/s (${report.sent} sent in ${report.seconds} s)`);
  console.log(`latency ms:  p50 ${report.latencyMs.p50}  p95 ${report.latencyMs.p95}  p99 ${report.latencyMs.p99}  max ${report.latencyMs.max}`);
  console.log(`answers:     ${Object.entries(report.answered).map(([k, v]) => `${k}: ${v}`).join(", ")}`);
  console.log(`errors:      ${report.errors}`);
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl && (options.path ?? "/api/callback") === "/api/callback") {
    // Spooled deliveries are stored once the drain catches up: give it a moment.
    let stored = await countStored(databaseUrl, report);
    for (let i = 0; i < 50 && stored.okStored < report.ok; i++) {
      await new Promise((r) => setTimeout(r, 200));
      stored = await countStored(databaseUrl, report);
    }
    const same = stored.okStored === report.ok && stored.rows === report.ok;
    console.log(`stored:      ${stored.rows} rows for ${report.ok} answered 200: ${same ? "stored == answered 200" : "MISMATCH"}`);
    if (!same) process.exitCode = 1;
  }
  if (report.errors > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
