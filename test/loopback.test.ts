// Without DASHBOARD_PASSWORD the dashboard serves only this machine: decided on the socket's
// address (never Host or X-Forwarded-For), by the real `next start` listening on every interface,
// as a user running `next start` or `next dev` by hand would. And a state-changing request
// needs proof that one of this origin's pages sent it, in every mode.
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";

// A local address that is not loopback: connecting to it from this machine, the server sees it as the peer.
const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;

/**
 * A request to this machine's non-loopback address. Through node:http, not fetch: fetch replaces
 * a Host header with the URL's own, so `Host: localhost` would never reach the server.
 */
function fromNetworkTo(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: external, port, path, method: init.method ?? "GET", headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(new Response(chunks.length ? new Uint8Array(Buffer.concat(chunks)) : null, { status: res.statusCode, headers: res.headers as Record<string, string> })));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

describe.runIf(external)("no password: loopback connections only (next start -H 0.0.0.0)", () => {
  const db = useTestDatabase();
  let app: AppServer;
  const fromNetwork = (path: string, init: Parameters<typeof fromNetworkTo>[2] = {}) => fromNetworkTo(app.port, path, init);
  const fromLoopback = (path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, { redirect: "manual", ...init });

  beforeAll(async () => {
    app = await startAppServer({ DATABASE_URL: db.url }, { host: "0.0.0.0" });
    const envelope = readFileSync(join(process.cwd(), "test/fixtures/provider-example-20004.json"), "utf8");
    expect((await fromLoopback("/api/callback", { method: "POST", body: envelope })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  // Everything a client controls says "loopback"; only the socket does not.
  const lying = { host: "localhost", "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1", forwarded: "for=127.0.0.1" };

  it("refuses pages and the API to a connection from another address, whatever the headers say", async () => {
    const previewId = JSON.parse(readFileSync(join(process.cwd(), ".next", "prerender-manifest.json"), "utf8")).preview.previewModeId;
    for (const path of ["/", "/videos", "/videos/1", "/senders", "/api/videos", "/api/videos/1?includeSecrets=1", "/api/export?format=csv&includeSecrets=1", "/api/stream", "/api/metrics"]) {
      for (const headers of [lying, { ...lying, "x-prerender-revalidate": previewId }]) {
        const res = await fromNetwork(path, { headers });
        const text = await res.text();
        expect(res.status, path).toBe(403);
        expect(text, path).toMatch(/only answers connections from this machine/);
        expect(text, path).not.toContain("好友昵称");
      }
    }
    // The same requests from loopback are served: the refusal above is the socket's doing.
    expect((await fromLoopback("/api/videos")).status).toBe(200);
    expect(await (await fromLoopback("/videos")).text()).toContain("好友昵称");
  });

  it("still takes the provider's callback and answers health (status words only) from the network", async () => {
    const envelope = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/provider-example-20004.json"), "utf8"));
    envelope.data.serverId = "from-network";
    expect((await fromNetwork("/api/callback", { method: "POST", body: JSON.stringify(envelope) })).status).toBe(200);
    const health = await fromNetwork("/api/health");
    expect(health.status).toBe(200);
    expect(Object.keys(await health.json()).sort()).toEqual(["database", "spool", "spoolDepth", "status"]);
  });

  it("refuses a state-changing request that does not show it is same-origin, also from loopback", async () => {
    const replay = (headers: Record<string, string>) => fromLoopback("/api/deliveries/1/replay", { method: "POST", headers });
    for (const headers of [{}, { origin: "http://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site", origin: app.url }] as Record<string, string>[]) {
      const res = await replay(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((await res.json()).error).toMatch(/cross-origin/);
    }
    // With the proof, the request reaches the handler (delivery 1, the first callback: replayed, or 409 once stored).
    for (const headers of [{ origin: app.url }, { "sec-fetch-site": "same-origin" }] as Record<string, string>[]) {
      expect([200, 409], JSON.stringify(headers)).toContain((await replay(headers)).status);
    }
  });
});

// The same rule under `next dev`, which a user may start by hand on every interface: the socket
// decides there too. `next dev` writes only under `.next/dev` (see startAppServer), so it runs
// beside the suites that use the production build.
describe.runIf(external)("no password: loopback connections only (next dev -H 0.0.0.0)", () => {
  const db = useTestDatabase();
  let app: AppServer;

  beforeAll(async () => {
    app = await startAppServer({ DATABASE_URL: db.url }, { host: "0.0.0.0", dev: true });
  }, 180_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("refuses the API to a connection from another address with Host: localhost and a forged X-Forwarded-For, and serves loopback", async () => {
    // From loopback first: it also waits out the route's first compile.
    expect((await fetch(`${app.url}/api/videos`)).status).toBe(200);
    const res = await fromNetworkTo(app.port, "/api/videos", { headers: { host: "localhost", "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" } });
    expect([401, 403]).toContain(res.status);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect((await res.json()).error).toMatch(/only answers connections from this machine/);
  }, 180_000);
});
