// The proxy's SSRF defences, against a real stand-in CDN on loopback.
import { readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startStandInCdn, type StandInCdn } from "../../scripts/demo/cdn";
import { MediaError } from "./errors";
import { checkUrl, fetchToFile, isPublicAddress, parseAllowList, type FetchLimits } from "./fetch-guard";

let cdn: StandInCdn;
let other: http.Server;
let otherPort: number;
const dest = join(tmpdir(), `fetch-guard-${process.pid}`);

beforeAll(async () => {
  cdn = await startStandInCdn();
  // Another service on loopback, which a link must never reach.
  other = http.createServer((_req, res) => res.end("internal secret"));
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  otherPort = (other.address() as AddressInfo).port;
});
afterAll(async () => {
  await cdn.stop();
  await new Promise((r) => other.close(r));
  await rm(dest, { force: true });
});

const limits = (allowedHosts: string[], extra: Partial<FetchLimits> = {}): FetchLimits => ({ allowedHosts, maxBytes: 1 << 20, timeoutMs: 5000, ...extra });

async function refusal(link: string, allowedHosts: string[], extra: Partial<FetchLimits> = {}): Promise<MediaError> {
  const err = await fetchToFile(link, dest, limits(allowedHosts, extra)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

describe("what may be fetched", () => {
  test("a file on an allowed host and port is fetched", async () => {
    const published = cdn.publish(Buffer.from("hello"), { encrypted: false });
    const result = await fetchToFile(published.url, dest, limits([cdn.hostEntry]));
    expect(result.bytes).toBe(5);
    expect(await readFile(dest, "utf8")).toBe("hello");
  });

  test("another port on loopback is refused, even when the CDN's port is allowed", async () => {
    const err = await refusal(`http://127.0.0.1:${otherPort}/`, [cdn.hostEntry]);
    expect(err.reason).toBe("host_not_allowed");
    // A bare loopback entry (no port) does not open loopback either.
    expect((await refusal(`http://127.0.0.1/`, ["127.0.0.1"])).message).toMatch(/loopback, private or link-local/);
  });

  test("file:, ftp: and data: links are refused", async () => {
    for (const link of ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/plain,hi"]) {
      const err = await refusal(link, [cdn.hostEntry, "127.0.0.1"]);
      expect(err.reason).toBe("host_not_allowed");
      expect(err.message).toMatch(/only http and https/);
    }
  });

  test("the cloud metadata address 169.254.169.254 is refused, listed or not", async () => {
    expect((await refusal("http://169.254.169.254/latest/meta-data/", [cdn.hostEntry])).reason).toBe("host_not_allowed");
    const listed = await refusal("http://169.254.169.254/latest/meta-data/", [cdn.hostEntry, "169.254.169.254"]);
    expect(listed.message).toMatch(/169\.254\.169\.254.*link-local/);
  });

  test("a name that resolves to 127.0.0.1 is refused at connection time", async () => {
    const err = await refusal("http://localhost/", ["localhost"]);
    expect(err.reason).toBe("host_not_allowed");
    expect(err.message).toMatch(/localhost resolves to 127\.0\.0\.1/);
  });

  test("loopback in disguise: decimal, IPv6 and IPv4-mapped forms", async () => {
    for (const link of ["http://2130706433/", "http://0x7f.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/"]) {
      const err = await refusal(link, ["127.0.0.1", "[::1]", "[::ffff:7f00:1]"]);
      expect(err.reason, link).toBe("host_not_allowed");
    }
  });

  test("a redirect to a private address is refused; one to an allowed host is followed", async () => {
    const toPrivate = cdn.redirect("http://10.0.0.1/video.mp4");
    expect((await refusal(toPrivate, [cdn.hostEntry])).reason).toBe("host_not_allowed");
    expect((await refusal(toPrivate, [cdn.hostEntry, "10.0.0.1"])).message).toMatch(/10\.0\.0\.1.*private/);
    const toLoopbackName = cdn.redirect(`http://localhost/`);
    expect((await refusal(toLoopbackName, [cdn.hostEntry, "localhost"])).message).toMatch(/resolves to 127\.0\.0\.1/);
    expect((await refusal(cdn.redirect("file:///etc/passwd"), [cdn.hostEntry])).message).toMatch(/only http and https/);
    expect((await refusal(cdn.redirect("http://169.254.169.254/latest/meta-data/"), [cdn.hostEntry, "169.254.169.254"])).message).toMatch(/link-local/);
    const toOtherPort = cdn.redirect(`http://127.0.0.1:${otherPort}/`);
    expect((await refusal(toOtherPort, [cdn.hostEntry])).reason).toBe("host_not_allowed");

    const target = cdn.publish(Buffer.from("moved"), { encrypted: false });
    const result = await fetchToFile(cdn.redirect(target.url), dest, limits([cdn.hostEntry]));
    expect(result.url).toBe(target.url);
    expect(await readFile(dest, "utf8")).toBe("moved");
  });

  test("more than 5 redirects are refused", async () => {
    let link = cdn.publish(Buffer.from("far away"), { encrypted: false }).url;
    for (let i = 0; i < 6; i++) link = cdn.redirect(link);
    const err = await refusal(link, [cdn.hostEntry]);
    expect(err.reason).toBe("upstream_failed");
    expect(err.message).toMatch(/redirected too many times/);
  });

  test("a link that answers 404 is reported as expired", async () => {
    const err = await refusal(cdn.expired(), [cdn.hostEntry]);
    expect(err.reason).toBe("link_expired");
    expect(err.kind).toBe("upstream");
  });

  test("a file over the byte limit is refused", async () => {
    const published = cdn.publish(Buffer.alloc(10_000), { encrypted: false });
    const err = await refusal(published.url, [cdn.hostEntry], { maxBytes: 5000 });
    expect(err.reason).toBe("too_large");
    expect(err.kind).toBe("too_large");
  });

  test("a CDN that never answers times out", async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const err = await refusal(`http://127.0.0.1:${port}/`, [`127.0.0.1:${port}`], { timeoutMs: 300 });
      expect(err.reason).toBe("timeout");
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe("allowlist and address rules", () => {
  test("a bare host allows its default port only; host:port that port only; *.domain its subdomains", () => {
    const list = parseAllowList(["cdn.example.com", "media.example.com:8443", "*.qpic.cn"]);
    expect(() => checkUrl(new URL("https://cdn.example.com/x"), list)).not.toThrow();
    expect(() => checkUrl(new URL("http://cdn.example.com/x"), list)).not.toThrow();
    expect(() => checkUrl(new URL("https://cdn.example.com:8443/x"), list)).toThrow(MediaError);
    expect(() => checkUrl(new URL("https://media.example.com:8443/x"), list)).not.toThrow();
    expect(() => checkUrl(new URL("https://media.example.com/x"), list)).toThrow(MediaError);
    expect(() => checkUrl(new URL("https://mmbiz.qpic.cn/x"), list)).not.toThrow();
    expect(() => checkUrl(new URL("https://qpic.cn.evil.com/x"), list)).toThrow(MediaError);
    expect(() => checkUrl(new URL("https://evilcdn.example.com/x"), list)).toThrow(MediaError);
    expect(() => checkUrl(new URL("https://user:pw@cdn.example.com/x"), list)).toThrow(/credentials/);
  });

  test.each([
    ["8.8.8.8", true],
    ["140.207.0.1", true],
    ["2408:8000::1", true],
    ["127.0.0.1", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["224.0.0.1", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["64:ff9b::a00:1", false],
    ["not-an-ip", false],
  ])("%s is public: %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});
