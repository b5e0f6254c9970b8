// Fetching a CDN link without becoming an SSRF tool. A link comes from a callback body, which
// anyone who knows the callback URL can write, so every hop is checked:
// - http and https only, host (and port) in MEDIA_ALLOWED_HOSTS, redirects re-checked the same way;
// - the address actually connected to is checked, inside the socket's own DNS lookup, so a name
//   cannot resolve to a public address for the check and a private one for the connection;
// - loopback, private, link-local and other special addresses are refused unless the allowlist
//   names that host AND port exactly (how tests and the demo reach a stand-in CDN on 127.0.0.1);
// - bounded in bytes (checked against Content-Length, then counted) and in time (whole fetch).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { createWriteStream } from "node:fs";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { MediaError } from "./errors";

export type FetchLimits = {
  allowedHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
};

type AllowEntry = { host: string; port: number | null; wildcard: boolean };

/** `host`, `host:port`, `[v6]:port`, or `*.domain` (any subdomain). A bare host allows the scheme's default port only. */
export function parseAllowList(entries: readonly string[]): AllowEntry[] {
  return entries.flatMap((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) return [];
    const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(entry);
    if (v6) return [{ host: v6[1], port: v6[2] ? Number(v6[2]) : null, wildcard: false }];
    const m = /^(\*\.)?([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry);
    if (!m) return [];
    return [{ host: m[2], port: m[3] ? Number(m[3]) : null, wildcard: Boolean(m[1]) }];
  });
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/** The allowlist entry a URL matches; throws host_not_allowed for anything else. */
export function checkUrl(url: URL, allowList: AllowEntry[]): AllowEntry {
  if (!(url.protocol in DEFAULT_PORTS)) {
    throw new MediaError("host_not_allowed", `refused a ${url.protocol.replace(":", "")}: link: only http and https are fetched`);
  }
  if (url.username || url.password) throw new MediaError("host_not_allowed", "refused a link carrying credentials");
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  const defaultPort = DEFAULT_PORTS[url.protocol];
  const port = url.port ? Number(url.port) : defaultPort;
  const entry = allowList.find((e) => {
    const hostMatches = e.wildcard ? host.endsWith(`.${e.host}`) : host === e.host;
    return hostMatches && (e.port === null ? port === defaultPort : port === e.port);
  });
  if (!entry) {
    throw new MediaError("host_not_allowed", `host ${url.host} is not in MEDIA_ALLOWED_HOSTS`);
  }
  return entry;
}

// Addresses no CDN link may reach: loopback, private, link-local (cloud metadata lives at
// 169.254.169.254), shared, multicast, reserved, and IPv6 forms that embed an IPv4 address.
// Two lists: Node's BlockList matches IPv4 addresses against IPv6 rules in their mapped form.
const SPECIAL_V4 = new BlockList();
const SPECIAL_V6 = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15],
  ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) SPECIAL_V4.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 96], ["::ffff:0:0", 96], ["64:ff9b::", 96], ["64:ff9b:1::", 48], ["100::", 64], ["2001::", 23], ["2001:db8::", 32],
  ["2002::", 16], ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8],
] as const) SPECIAL_V6.addSubnet(net, prefix, "ipv6");

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return family === 4 ? !SPECIAL_V4.check(address, "ipv4") : !SPECIAL_V6.check(address, "ipv6");
}

function refuseAddress(host: string, address: string): MediaError {
  return new MediaError(
    "host_not_allowed",
    `host ${host} resolves to ${address}, a loopback, private or link-local address: refused (name it with its port in MEDIA_ALLOWED_HOSTS to allow it)`,
  );
}

/** The socket's DNS lookup: resolves, then refuses when any address is special and `allowSpecial` is off. */
function guardedLookup(allowSpecial: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 0);
      const bad = allowSpecial ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(refuseAddress(hostname, bad.address), "", 0);
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * Downloads `link` into `dest`, following up to `maxRedirects` redirects, each re-checked.
 * Throws MediaError (host_not_allowed, link_expired, upstream_failed, timeout, too_large).
 */
export async function fetchToFile(link: string, dest: string, limits: FetchLimits): Promise<{ bytes: number; url: string }> {
  const { bytes, url } = await fetchStream(link, limits, (body, signal) => pipeline(body, createWriteStream(dest), { signal }));
  return { bytes, url };
}

/**
 * Fetches `link` as fetchToFile does and hands its body, already bounded in bytes, to `consume`
 * (which must read it within the fetch's time limit, honouring `signal`). Errors of `consume`
 * other than MediaErrors become upstream_failed or timeout, as errors of the download do.
 */
export async function fetchStream<T>(
  link: string,
  limits: FetchLimits,
  consume: (body: Readable, signal: AbortSignal) => Promise<T>,
): Promise<{ result: T; bytes: number; url: string }> {
  const allowList = parseAllowList(limits.allowedHosts);
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new MediaError("host_not_allowed", "the link is not a valid URL");
  }
  try {
    for (let hop = 0; ; hop++) {
      const entry = checkUrl(url, allowList);
      const allowSpecial = entry.port !== null && !entry.wildcard;
      const literal = url.hostname.replace(/^\[|\]$/g, "");
      // The socket skips the lookup for an IP literal, so check it here.
      if (isIP(literal) && !allowSpecial && !isPublicAddress(literal)) throw refuseAddress(literal, literal);
      const res = await request(url, allowSpecial, signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hop >= (limits.maxRedirects ?? 5)) throw new MediaError("upstream_failed", "the CDN redirected too many times");
        url = new URL(res.headers.location, url);
        continue;
      }
      if (status === 404 || status === 403 || status === 410) {
        res.resume();
        throw new MediaError("link_expired", `the CDN answered HTTP ${status}: the link has expired or was revoked`);
      }
      if (status < 200 || status >= 300) {
        res.resume();
        const err = new MediaError("upstream_failed", `the CDN answered HTTP ${status}`);
        err.upstreamStatus = status;
        throw err;
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        res.destroy();
        throw tooLarge(limits.maxBytes, declared);
      }
      const counter = byteCounter(limits.maxBytes);
      res.on("error", (err) => counter.destroy(err));
      const result = await consume(res.pipe(counter), signal);
      return { result, bytes: counter.bytes, url: url.toString() };
    }
  } catch (err) {
    throw asMediaError(err, signal);
  }
}

function request(url: URL, allowSpecial: boolean, signal: AbortSignal): Promise<IncomingMessage> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: "GET",
      agent: false,
      lookup: guardedLookup(allowSpecial),
      signal,
      headers: { "user-agent": "wechat-video-dashboard media proxy", accept: "*/*", "accept-encoding": "identity" },
    });
    req.on("response", resolve);
    req.on("error", reject);
    req.end();
  });
}

/** Streams `source` into the file `dest`, failing with too_large past `maxBytes`; returns the byte count. */
export async function writeBounded(source: Readable, dest: string, maxBytes: number, signal?: AbortSignal): Promise<number> {
  const counter = byteCounter(maxBytes);
  await pipeline(source, counter, createWriteStream(dest), signal ? { signal } : {});
  return counter.bytes;
}

/** A pass-through that counts bytes and fails with too_large past `maxBytes`. */
function byteCounter(maxBytes: number): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      counter.bytes += chunk.length;
      if (counter.bytes > maxBytes) return done(tooLarge(maxBytes));
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

function tooLarge(maxBytes: number, declared?: number): MediaError {
  return new MediaError("too_large", `the file is larger than the ${maxBytes} bytes allowed${declared ? ` (${declared} announced)` : ""}`);
}

function asMediaError(err: unknown, signal: AbortSignal): MediaError {
  if (err instanceof MediaError) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof MediaError) return cause;
  if (signal.aborted) return new MediaError("timeout", "the CDN did not deliver the file in time");
  const code = (err as { code?: string }).code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new MediaError("upstream_failed", "the CDN host name could not be resolved");
  if (code === "ECONNREFUSED") return new MediaError("upstream_failed", "the CDN refused the connection");
  if (code === "ECONNRESET") return new MediaError("upstream_failed", "the CDN closed the connection");
  return new MediaError("upstream_failed", `could not fetch from the CDN (${code ?? (err as Error).message ?? "unknown error"})`);
}
