// A stand-in for WeChat's CDN, on 127.0.0.1: serves published files AES-128-ECB encrypted
// (PKCS7, a fresh key per link, like the real CDN) or plain, with Range, under links shaped like
// the real ones. Also links that answer 404 (expired) or redirect. Used by `npm run demo` and the tests.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { encryptMedia } from "../../lib/media/decrypt";

/** What a 20004 payload's cdnData says about a published file. */
export type Published = { url: string; aes_key: string | null; md5: string; size: number };

type Route = { status: 200; body: Buffer; failFirst?: number; failStatus?: number; expiresAt?: number; bytesPerSecond?: number } | { status: 404 } | { status: 302; location: string };

export type StandInCdn = {
  origin: string;
  /** The MEDIA_ALLOWED_HOSTS entry naming this server exactly (host and port). */
  hostEntry: string;
  /** A file under a new link; encrypted with `key` (default: a fresh one) unless `encrypted` is false. */
  /**
   * A file under a new link; encrypted with `key` (default: a fresh one) unless `encrypted` is false.
   * `failFirst`: its first n requests answer `failStatus` (503); `expiresInMs`: it answers 404 from then on.
   */
  publish: (
    plain: Buffer,
    options?: { encrypted?: boolean; key?: Buffer; failFirst?: number; failStatus?: number; expiresInMs?: number; bytesPerSecond?: number },
  ) => Published;
  /** Bytes of bodies sent so far, every link together. */
  sentBytes: () => number;
  /** The link answers 404 from now on and its bytes are let go (a benchmark's rounds would otherwise hold every file in memory). */
  unpublish: (url: string) => void;
  expired: () => string;
  redirect: (location: string) => string;
  /** How many requests a link has received. */
  hits: (url: string) => number;
  stop: () => Promise<void>;
};

export async function startStandInCdn(port = 0): Promise<StandInCdn> {
  const routes = new Map<string, Route>();
  const hitCounts = new Map<string, number>();
  let sent = 0;
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    hitCounts.set(path, (hitCounts.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route || route.status === 404) {
      res.writeHead(404, { "content-type": "text/plain" }).end("file not found or expired");
      return;
    }
    if (route.status === 302) {
      res.writeHead(302, { location: route.location }).end();
      return;
    }
    if (route.expiresAt !== undefined && Date.now() >= route.expiresAt) {
      res.writeHead(404, { "content-type": "text/plain" }).end("file not found or expired");
      return;
    }
    if (route.failFirst && hitCounts.get(path)! <= route.failFirst) {
      res.writeHead(route.failStatus ?? 503, { "content-type": "text/plain" }).end("busy");
      return;
    }
    if (route.bytesPerSecond) {
      void trickle(res, route.body, route.bytesPerSecond, (n) => (sent += n));
      return;
    }
    sent += route.body.length;
    serveBytes(req, res, route.body);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actualPort = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${actualPort}`;
  const newPath = () => `/cgi-bin/mmae-bin/tpdownloadmedia?param=v1_${randomBytes(48).toString("hex")}`;
  const add = (route: Route) => {
    const path = newPath();
    routes.set(path, route);
    return `${origin}${path}`;
  };
  return {
    origin,
    hostEntry: `127.0.0.1:${actualPort}`,
    publish(plain, { encrypted = true, key = randomBytes(16), failFirst, failStatus, expiresInMs, bytesPerSecond } = {}) {
      const body = encrypted ? encryptMedia(plain, key) : plain;
      const url = add({ status: 200, body, failFirst, failStatus, bytesPerSecond, expiresAt: expiresInMs === undefined ? undefined : Date.now() + expiresInMs });
      return { url, aes_key: encrypted ? key.toString("hex") : null, md5: createHash("md5").update(plain).digest("hex"), size: plain.length };
    },
    expired: () => add({ status: 404 }),
    unpublish: (url) => void routes.delete(new URL(url).pathname + new URL(url).search),
    redirect: (location) => add({ status: 302, location }),
    sentBytes: () => sent,
    hits: (url) => hitCounts.get(new URL(url).pathname + new URL(url).search) ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The whole body, slowly (a slow CDN, or one far away): 64 KiB at a time at `bytesPerSecond`. */
async function trickle(res: http.ServerResponse, body: Buffer, bytesPerSecond: number, onSent: (n: number) => void) {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
  const step = 64 * 1024;
  for (let at = 0; at < body.length && !res.destroyed; at += step) {
    const chunk = body.subarray(at, at + step);
    res.write(chunk);
    onSent(chunk.length);
    await new Promise((r) => setTimeout(r, (chunk.length / bytesPerSecond) * 1000));
  }
  res.end();
}

function serveBytes(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
  const headers = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
  if (m && (m[1] || m[2])) {
    const start = m[1] ? Number(m[1]) : Math.max(0, body.length - Number(m[2]));
    const end = m[1] && m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
    if (start >= body.length || end < start) {
      res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, { ...headers, "content-range": `bytes ${start}-${end}/${body.length}`, "content-length": end - start + 1 });
    res.end(req.method === "HEAD" ? undefined : body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { ...headers, "content-length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}
