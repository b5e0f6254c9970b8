// The CDN's answers the fetch must tell apart, and the allowlist's syntax, against a local server
// whose answers the test chooses. Written against the mutants Stryker left alive in lib/media.
import { readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MediaError } from "./errors";
import { checkUrl, fetchToFile, parseAllowList, type FetchLimits } from "./fetch-guard";

let server: http.Server;
let port: number;
const dest = join(tmpdir(), `fetch-guard-edges-${process.pid}`);
const routes: Record<string, (res: http.ServerResponse) => void> = {
  "/gone": (res) => res.writeHead(410).end("gone"),
  "/forbidden": (res) => res.writeHead(403).end("forbidden"),
  "/broken": (res) => res.writeHead(500).end("<html>error page</html>"),
  "/not-modified": (res) => res.writeHead(304).end(),
  "/ok-with-location": (res) => res.writeHead(200, { location: "/gone" }).end("the file"),
  "/exact": (res) => res.end(Buffer.alloc(1000, 7)),
  // Announces more than the limit, then sends a little and never ends: only the announcement can refuse it in time.
  "/announced-too-large": (res) => {
    res.writeHead(200, { "content-length": "100000" });
    res.write("a little");
  },
};

beforeAll(async () => {
  server = http.createServer((req, res) => (routes[req.url ?? ""] ?? ((r) => r.writeHead(404).end()))(res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dest, { force: true });
});

const limits = (extra: Partial<FetchLimits> = {}): FetchLimits => ({ allowedHosts: [`127.0.0.1:${port}`, `localhost:${port}`], maxBytes: 1 << 20, timeoutMs: 5000, ...extra });
async function refusal(path: string, extra: Partial<FetchLimits> = {}): Promise<MediaError> {
  const err = await fetchToFile(`http://127.0.0.1:${port}${path}`, dest, limits(extra)).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

describe("the CDN's answers", () => {
  test("403 and 410 mean the link expired; a 500 is the CDN failing", async () => {
    expect((await refusal("/gone")).reason).toBe("link_expired");
    expect((await refusal("/forbidden")).reason).toBe("link_expired");
    const broken = await refusal("/broken");
    expect(broken.reason).toBe("upstream_failed");
    expect(broken.message).toBe("the CDN answered HTTP 500");
  });

  test("a 3xx without a Location is a failure, and a 200 is the file even if it carries a Location", async () => {
    expect((await refusal("/not-modified")).message).toBe("the CDN answered HTTP 304");
    const result = await fetchToFile(`http://127.0.0.1:${port}/ok-with-location`, dest, limits());
    expect(await readFile(dest, "utf8")).toBe("the file");
    expect(result.url).toBe(`http://127.0.0.1:${port}/ok-with-location`);
  });

  test("a file of exactly the limit is fetched; one byte over is not", async () => {
    expect((await fetchToFile(`http://127.0.0.1:${port}/exact`, dest, limits({ maxBytes: 1000 }))).bytes).toBe(1000);
    expect((await refusal("/exact", { maxBytes: 999 })).reason).toBe("too_large");
  });

  test("a Content-Length over the limit is refused at once, not after waiting for the bytes", async () => {
    const err = await refusal("/announced-too-large", { maxBytes: 1000, timeoutMs: 20_000 });
    expect(err.reason).toBe("too_large");
    expect(err.message).toMatch(/100000 announced/);
  });

  test("a host name is resolved and fetched when its entry names the port", async () => {
    const result = await fetchToFile(`http://localhost:${port}/exact`, dest, limits());
    expect(result.bytes).toBe(1000);
  });

  test("a name that does not resolve is the CDN failing, said so", async () => {
    const err = await fetchToFile("http://no-such-host.invalid/x", dest, { allowedHosts: ["no-such-host.invalid"], maxBytes: 1000, timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).reason).toBe("upstream_failed");
    expect((err as MediaError).message).toMatch(/could not be resolved/);
  });

  test("a refused connection is the CDN failing, said so", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await fetchToFile(`http://127.0.0.1:${closedPort}/`, dest, { allowedHosts: [`127.0.0.1:${closedPort}`], maxBytes: 1000, timeoutMs: 5000 }).then(() => null, (e: unknown) => e);
    expect((err as MediaError).reason).toBe("upstream_failed");
    expect((err as MediaError).message).toBe("the CDN refused the connection");
  });

  test("a link that is not a URL is refused", async () => {
    const err = await fetchToFile("not a url", dest, limits()).then(() => null, (e: unknown) => e);
    expect((err as MediaError).reason).toBe("host_not_allowed");
    expect((err as MediaError).message).toBe("the link is not a valid URL");
  });
});

describe("the allowlist's syntax", () => {
  test("entries are trimmed and lower-cased; blank and malformed ones are dropped; [v6]:port is read", () => {
    expect(parseAllowList(["  CDN.Example.COM  ", "", "   ", "http://x.example/", "bad host", "[2408:8000::1]:8443", "[2408:8000::2]", "*.QPIC.cn:8080"])).toEqual([
      { host: "cdn.example.com", port: null, wildcard: false },
      { host: "2408:8000::1", port: 8443, wildcard: false },
      { host: "2408:8000::2", port: null, wildcard: false },
      { host: "qpic.cn", port: 8080, wildcard: true },
    ]);
    expect(parseAllowList(["x[2408:8000::1]", "[2408:8000::1]:8443x", "cdn.example.com:80x", "x*.qpic.cn"])).toEqual([]);
  });

  test("an IPv6 entry matches its bracketed link; a trailing dot on a host is ignored", () => {
    const list = parseAllowList(["[2408:8000::1]:8443", "cdn.example.com"]);
    expect(checkUrl(new URL("https://[2408:8000::1]:8443/x"), list).host).toBe("2408:8000::1");
    expect(checkUrl(new URL("https://cdn.example.com./x"), list).host).toBe("cdn.example.com");
  });

  test("a link carrying only a user name, or only a password, is refused", () => {
    const list = parseAllowList(["cdn.example.com"]);
    expect(() => checkUrl(new URL("https://user@cdn.example.com/x"), list)).toThrow(/credentials/);
    expect(() => checkUrl(new URL("https://:pw@cdn.example.com/x"), list)).toThrow(/credentials/);
  });
});
