// The one place that reads the environment. Everything else takes its settings from here.
import { z } from "zod";
import { trimmedText as optionalText } from "./params";

/** WeChat's CDN hosts, where 20004 payloads point their video and preview links. */
export const WECHAT_CDN_HOSTS = [
  "imunion.weixin.qq.com",
  "vweixinf.tc.qq.com",
  "wxapp.tc.qq.com",
  "szwxapp.tc.qq.com",
  "shwxapp.tc.qq.com",
  "wxsnsdy.wxs.qq.com",
  "mmbiz.qpic.cn",
  "wx.qlogo.cn",
  "szextshort.weixin.qq.com",
  "extshort.weixin.qq.com",
];

const toNumber = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** "1500ms", "90s", "30m", "2h", "1d" as milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(text);
  return m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms" | "s" | "m" | "h" | "d"] : null;
}

const duration = (fallback: string, { zero = false } = {}) =>
  optionalText.transform((v, ctx) => {
    const ms = parseDuration(v ?? fallback);
    if (ms === null || (ms === 0 && !zero)) {
      ctx.addIssue({ code: "custom", message: "expected a duration such as 90s, 30m, 2h or 1d" });
      return z.NEVER;
    }
    return ms;
  });

/** An IANA zone name Intl knows ("Asia/Shanghai"); unset, or a file (":/etc/localtime"): the server's own zone. */
const timeZone = optionalText.transform((v, ctx) => {
  const zone = v && !/^:?\//.test(v) ? v.replace(/^:/, "") : Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: "custom", message: `unknown time zone ${JSON.stringify(zone)}: expected an IANA name such as Asia/Shanghai` });
    return z.NEVER;
  }
});

const httpUrl = z.url({ protocol: /^https?$/ });

/**
 * FORWARD_URLS: comma-separated entries, each a URL or `name=url` (a name is 1 to 40 letters,
 * digits, `_`, `.` or `-`, starting with a letter or digit). A URL always has a `:` before any
 * `=`, so the two forms cannot be confused. Errors name the entry by position, never its text:
 * hook URLs carry their token.
 */
const forwardTargets = optionalText.transform((v, ctx) => {
  const targets: ForwardTarget[] = [];
  for (const [i, entry] of (v ?? "").split(",").map((e) => e.trim()).filter(Boolean).entries()) {
    const named = /^([^:/=]*)=(.*)$/s.exec(entry);
    const name = named ? named[1].trim() : null;
    const url = named ? named[2].trim() : entry;
    const problem =
      name !== null && !/^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,39}$/u.test(name) ? "a name is 1 to 40 letters, digits, _, . or -"
      : !httpUrl.safeParse(url).success ? "every entry must be an http(s) URL or name=<http(s) URL>"
      : name !== null && targets.some((t) => t.name === name) ? `the name ${name} is given twice`
      : targets.some((t) => t.url === url) ? "the same URL is listed twice"
      : null;
    if (problem) ctx.addIssue({ code: "custom", message: `entry ${i + 1}: ${problem}` });
    else targets.push({ name, url });
  }
  return targets;
});

/** A relay target: its URL (which may carry a token: never shown) and the name the operator gave it. */
export type ForwardTarget = { name: string | null; url: string };

const envSchema = z.object({
  DATABASE_URL: optionalText.pipe(
    z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL").optional(),
  ),
  DATA_DIR: optionalText.transform((v) => v ?? ".data"),
  PORT: optionalText.transform(toNumber).pipe(z.number().int().min(0).max(65535).default(3000)),
  HOST: optionalText.transform((v) => v ?? "127.0.0.1"),
  CALLBACK_TOKEN: optionalText,
  DASHBOARD_PASSWORD: optionalText,
  API_TOKEN: optionalText,
  // Signs session cookies. Unset: a random secret kept in DATA_DIR/session-secret (one per install).
  // Set it when several app processes on different machines serve the same dashboard.
  SESSION_SECRET: optionalText.pipe(z.string().min(16, "at least 16 characters").optional()),
  SESSION_HOURS: optionalText.transform(toNumber).pipe(z.number().positive().max(24 * 365).default(12)),
  // Behind a reverse proxy that appends the client to X-Forwarded-For: the login rate limit then
  // counts per address from that header (its last entry) instead of per connection.
  TRUST_PROXY: optionalText.transform((v) => v === "1" || v?.toLowerCase() === "true"),
  CALLBACK_MAX_BYTES: optionalText.transform(toNumber).pipe(z.number().int().positive().default(1024 * 1024)),
  MEDIA_ALLOWED_HOSTS: optionalText.transform((v) =>
    v === undefined ? WECHAT_CDN_HOSTS : v.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
  ),
  /** Largest media file the proxy fetches or accepts (a link's announced size tightens it). */
  MEDIA_MAX_BYTES: optionalText.transform(toNumber).pipe(z.number().int().positive().default(256 * 1024 * 1024)),
  /** Longest a media fetch from the CDN may take, redirects included. */
  MEDIA_FETCH_TIMEOUT_MS: optionalText.transform(toNumber).pipe(z.number().int().positive().default(60_000)),
  /** "off": media are fetched when first viewed (as before 2026-12); on: every video and preview is archived when it arrives. */
  MEDIA_ARCHIVE: optionalText.pipe(z.enum(["on", "off"], { error: "must be on or off" }).default("on")),
  /** How long after a video arrived its archiving is retried (network errors, timeouts, 408, 429, 5xx). */
  MEDIA_ARCHIVE_MAX_AGE: duration("7d"),
  /** Archive jobs run at once per process (each holds at most one CDN fetch and one upload). */
  MEDIA_ARCHIVE_CONCURRENCY: optionalText.transform(toNumber).pipe(z.number().int().min(1).max(64).default(4)),
  /** Where archived media are kept: "local" (DATA_DIR/media) or "s3" (any S3-compatible store, shared by every instance). */
  MEDIA_STORE: optionalText.pipe(z.enum(["local", "s3"], { error: "must be local or s3" }).default("local")),
  /** The S3 endpoint (https://s3.<region>.amazonaws.com, MinIO's URL, https://s3.oss-<region>.aliyuncs.com, https://cos.<region>.myqcloud.com). Unset: AWS's own for S3_REGION. */
  S3_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional()),
  S3_REGION: optionalText.transform((v) => v ?? "us-east-1"),
  S3_BUCKET: optionalText,
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  /** "1": https://endpoint/bucket/key (MinIO, test servers); unset: https://bucket.endpoint/key (AWS, required by Aliyun OSS and Tencent COS). */
  S3_FORCE_PATH_STYLE: optionalText.transform((v) => v === "1" || v?.toLowerCase() === "true"),
  /** Prepended to every object key ("media/"), so one bucket can hold other things. */
  S3_PREFIX: optionalText.transform((v) => v ?? ""),
  RETENTION_DAYS: optionalText.transform(toNumber).pipe(z.number().positive().optional()),
  /** Spooled deliveries replayed per statement once the database is back. */
  SPOOL_DRAIN_BATCH: optionalText.transform(toNumber).pipe(z.number().int().positive().max(10_000).default(500)),
  /** Exports streaming at once; each holds one database connection for its whole length. */
  EXPORT_CONCURRENCY: optionalText.transform(toNumber).pipe(z.number().int().min(1).max(100).default(2)),
  /** "1": the baseline routes under /api/bench answer (benchmarks only; 404 otherwise). */
  BENCH_ROUTES: optionalText.transform((v) => v === "1" || v === "true"),
  /** Relay targets (lib/forwarding): every delivery that passed the token and size checks is POSTed to each. */
  FORWARD_URLS: forwardTargets,
  /** Event codes relayed; unset: every one. */
  FORWARD_EVENTS: optionalText.transform((v) => (v === undefined ? null : v.split(",").map((c) => c.trim()).filter(Boolean))),
  /** Signs each forward: X-Signature-256: sha256=<hex HMAC of the body>. */
  FORWARD_SECRET: optionalText,
  /** One forward attempt's limit, answer included. */
  FORWARD_TIMEOUT_MS: optionalText.transform(toNumber).pipe(z.number().int().positive().default(10_000)),
  /** How long a delivery is retried before it is marked failed (ms; "90s", "30m", "24h", "2d"). */
  FORWARD_MAX_AGE: duration("24h"),
  /** The dashboard's one time zone: date-only filters, "today", chart buckets, displayed times. */
  TZ: timeZone,
  /** A robot with no callback for this long is silent (ms). */
  ROBOT_SILENT_AFTER: duration("30m"),
  /** Where silent/active alerts are POSTed, and in which chat robot's message format. */
  ALERT_WEBHOOK_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional()),
  ALERT_WEBHOOK_FORMAT: optionalText.pipe(z.enum(["generic", "wecom", "dingtalk", "feishu", "slack"]).default("generic")),
  /** How long the first alert of a burst waits for others to join it in one message ("0s": none). */
  ALERT_GROUP_WAIT: duration("10s", { zero: true }),
  /** The dashboard's address as its users reach it: the links in alerts. Unset: http://HOST:PORT. */
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional()),
  /** After SIGTERM/SIGINT: how long requests in flight may take before every open connection is closed. */
  SHUTDOWN_GRACE: duration("5s"),
  LOG_LEVEL: optionalText.pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
}).superRefine((cfg, ctx) => {
  if (cfg.MEDIA_STORE === "s3" && !cfg.S3_BUCKET) ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "required when MEDIA_STORE=s3" });
});

export type Config = z.infer<typeof envSchema>;

/** Every variable the app reads (.env.example lists them all: test/env-example.test.ts). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join("; ")}`);
  }
  return result.data;
}

let cached: Config | undefined;

/** The process's configuration, parsed once. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Why the server must not start as configured, or null. */
export function exposureProblem(cfg: Pick<Config, "HOST" | "DASHBOARD_PASSWORD">): string | null {
  if (isLoopbackHost(cfg.HOST) || cfg.DASHBOARD_PASSWORD) return null;
  return (
    `refusing to listen on ${cfg.HOST} without DASHBOARD_PASSWORD: the dashboard shows private chat media. ` +
    `Set DASHBOARD_PASSWORD (and API_TOKEN for scripts), or keep HOST=127.0.0.1.`
  );
}
