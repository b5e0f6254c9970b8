import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { clientAddress, isHttps } from "./client-address";
import { currentConnection, installConnectionContext, isLoopbackAddress } from "./connection";

/** One request through a real Node server: what the code serving it learns about the connection. */
async function seenByServer(headers: Record<string, string>, localAddress?: string) {
  installConnectionContext();
  const server = http.createServer(async (req, res) => {
    // An await first, as in Next: the context must survive the request's async work.
    await new Promise((r) => setImmediate(r));
    const seen = { connection: currentConnection(), address: clientAddress(new Headers(req.headers as Record<string, string>), false) };
    res.end(JSON.stringify(seen));
  });
  await new Promise<void>((r) => server.listen(0, "0.0.0.0", r));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<{ connection: { remoteAddress: string; target: string }; address: string }>((resolve, reject) => {
      http
        .get({ host: localAddress ?? "127.0.0.1", port, path: "/videos?q=1", headers, localAddress }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d)).on("end", () => resolve(JSON.parse(text)));
        })
        .on("error", reject);
    });
  } finally {
    server.close();
  }
}

describe("client address and scheme", () => {
  it("is the socket's address: a forged X-Forwarded-For changes nothing", async () => {
    const seen = await seenByServer({ "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1", host: "localhost" });
    expect(seen.connection).toEqual({ remoteAddress: expect.stringMatching(/127\.0\.0\.1$/), target: "/videos?q=1" });
    expect(seen.address).toBe(seen.connection.remoteAddress);
    expect(currentConnection()).toBeUndefined();
  });

  it("tells a connection from another address from a loopback one, whatever the headers say", async () => {
    const external = Object.values((await import("node:os")).networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    if (!external) return expect.soft(external, "this machine has no non-loopback IPv4 address to test with").toBeTruthy();
    const seen = await seenByServer({ "x-forwarded-for": "127.0.0.1", host: "127.0.0.1" }, external);
    expect(seen.connection.remoteAddress).toMatch(new RegExp(`${external.replaceAll(".", "\\.")}$`));
    expect(isLoopbackAddress(seen.connection.remoteAddress)).toBe(false);
  });

  it("answers 400 itself to a path Next could not decode, and drops the headers that skip the proxy", async () => {
    installConnectionContext();
    const server = http.createServer((req, res) => res.end(JSON.stringify(req.headers)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const bad = await fetch(`http://127.0.0.1:${port}/api/videos/%E0%A4%A`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).code).toBe("bad_url");
      const seen = await (await fetch(`http://127.0.0.1:${port}/videos`, { headers: { "x-prerender-revalidate": "id", "x-middleware-subrequest": "proxy", "x-other": "kept" } })).json();
      expect(seen["x-prerender-revalidate"]).toBeUndefined();
      expect(seen["x-middleware-subrequest"]).toBeUndefined();
      expect(seen["x-other"]).toBe("kept");
    } finally {
      server.close();
    }
  });

  it("behind a trusted proxy, takes the last X-Forwarded-For entry: the one that proxy added", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.9" }), true)).toBe("203.0.113.9");
    expect(clientAddress(new Headers({ "x-forwarded-for": "1.2.3.4, 198.51.100.7" }), true)).toBe("198.51.100.7");
    expect(clientAddress(new Headers(), true)).toBe("unknown");
    expect(clientAddress(new Headers({ "x-forwarded-for": "x".repeat(500) }), true).length).toBe(64);
  });

  it("knows the loopback addresses, in every spelling Node reports", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ["192.0.2.2", "::ffff:192.0.2.2", "fd00::2", "", undefined, "localhost", "127.0.0.1.evil"]) expect(isLoopbackAddress(a), String(a)).toBe(false);
  });

  it("is https when the forwarded scheme or the URL says so", () => {
    expect(isHttps(new Headers({ "x-forwarded-proto": "https" }), "http://a/")).toBe(true);
    expect(isHttps(new Headers(), "https://a/")).toBe(true);
    expect(isHttps(new Headers({ "x-forwarded-proto": "http" }), "http://a/")).toBe(false);
  });
});
