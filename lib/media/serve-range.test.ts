import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { mediaResponse, parseRange } from "./serve-range";
import type { StoredMedia } from "./cache";

const dir = mkdtempSync(join(tmpdir(), "serve-range-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const sha256 = createHash("sha256").update(content).digest("hex");
writeFileSync(join(dir, sha256), content);
const media: StoredMedia = { sha256, contentType: "video/mp4", bytes: content.length };

const serve = (headers: Record<string, string> = {}, method = "GET", download = false) =>
  mediaResponse(new Request("http://app/api/media/1/video", { method, headers }), media, { filename: "video-1", download }, (range) =>
    Promise.resolve(createReadStream(join(dir, sha256), range ?? {})),
  );

describe("Range requests, so a player can seek", () => {
  test("a 16 KiB hostile Range header is parsed in under 10 ms (linear, no backtracking)", () => {
    const pad = " ".repeat(16 * 1024);
    const hostile = [`bytes=0-${pad}x`, `bytes=${pad}x`, `bytes=0${pad}-${pad}1x`, `bytes=${"0".repeat(16 * 1024)}-x`, `${pad}bytes${pad}=${pad}`, `bytes=0-${pad}`];
    for (const header of hostile) {
      const times = Array.from({ length: 5 }, () => {
        const started = performance.now();
        parseRange(header, 1000);
        return performance.now() - started;
      }).sort((a, b) => a - b);
      expect(times[2], JSON.stringify(header.slice(0, 12))).toBeLessThan(10);
    }
    expect(parseRange(`bytes=0-${pad}`, 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange(` bytes = 5 - 9 `, 1000)).toEqual({ start: 5, end: 9 });
    expect(parseRange("bytes=0-1,5-6", 1000)).toBeNull();
    expect(parseRange("bytes=a-1", 1000)).toBeNull();
    expect(parseRange("items=0-1", 1000)).toBeNull();
  });

  test("parses single ranges; several ranges or nonsense mean the whole file", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=900-", 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=-100", 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=990-2000", 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange("bytes=1000-", 1000)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-1,5-9", 1000)).toBeNull();
    expect(parseRange("items=0-1", 1000)).toBeNull();
    expect(parseRange(null, 1000)).toBeNull();
  });

  test("no Range: 200 with the whole file and the caching headers", async () => {
    const res = await serve();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("content-length")).toBe("1000");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("etag")).toBe(`"${sha256}"`);
    expect(res.headers.get("cache-control")).toMatch(/private, max-age=\d+/);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-disposition")).toBe('inline; filename="video-1.mp4"');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(content);
  });

  test("a Range: 206 with exactly those bytes", async () => {
    const res = await serve({ range: "bytes=100-199" });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe("bytes 100-199/1000");
    expect(res.headers.get("content-length")).toBe("100");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(content.subarray(100, 200));
  });

  test("a Range past the end: 416 with the size", async () => {
    const res = await serve({ range: "bytes=5000-" });
    expect(res.status).toBe(416);
    expect(res.headers.get("content-range")).toBe("bytes */1000");
    expect((await res.json()).error).toMatch(/1000 bytes/);
  });

  test("If-None-Match with the ETag: 304; If-Range with another ETag: the whole file", async () => {
    expect((await serve({ "if-none-match": `"${sha256}"` })).status).toBe(304);
    expect((await serve({ range: "bytes=0-9", "if-range": '"other"' })).status).toBe(200);
    expect((await serve({ range: "bytes=0-9", "if-range": `"${sha256}"` })).status).toBe(206);
  });

  test("HEAD has the headers and no body; download=1 makes it an attachment", async () => {
    const head = await serve({}, "HEAD");
    expect(head.headers.get("content-length")).toBe("1000");
    expect(head.body).toBeNull();
    expect((await serve({}, "GET", true)).headers.get("content-disposition")).toBe('attachment; filename="video-1.mp4"');
  });
});

// Written against the mutants Stryker left alive in lib/media (docs/testing.md).
const etag = `"${sha256}"`;
describe("Range edges", () => {
  test("one byte is a range; an end before the start, no digits, or a suffix of 0 are not", () => {
    expect(parseRange("bytes=3-3", 1000)).toEqual({ start: 3, end: 3 });
    expect(parseRange("bytes=0-0", 1000)).toEqual({ start: 0, end: 0 });
    expect(parseRange("bytes=5-2", 1000)).toBeNull();
    expect(parseRange("bytes=-", 1000)).toBeNull();
    expect(parseRange("bytes=5", 1000)).toBeNull();
    expect(parseRange("bytes=a-b", 1000)).toBeNull();
    expect(parseRange("bytes=-0", 1000)).toBe("unsatisfiable");
    expect(parseRange(" Bytes = 1-2", 1000)).toEqual({ start: 1, end: 2 });
  });

  test("the whole file carries no Content-Range; a range does, and a one-byte range is served", async () => {
    expect((await serve()).headers.get("content-range")).toBeNull();
    const one = await serve({ range: "bytes=3-3" });
    expect(one.status).toBe(206);
    expect(Buffer.from(await one.arrayBuffer())).toEqual(content.subarray(3, 4));
    expect((await serve({ range: "bytes=-0" })).status).toBe(416);
  });

  test("If-None-Match: any tag of a list, the weak form, or *; another tag alone is not a match", async () => {
    for (const tags of [`"other", ${etag}`, `W/${etag}`, "*"]) expect((await serve({ "if-none-match": tags })).status, tags).toBe(304);
    expect((await serve({ "if-none-match": '"other"' })).status).toBe(200);
  });

  test("HEAD of a range: the headers, no body", async () => {
    const head = await serve({ range: "bytes=0-9" }, "HEAD");
    expect(head.status).toBe(206);
    expect(head.headers.get("content-length")).toBe("10");
    expect(head.body).toBeNull();
    expect((await serve({}, "GET")).headers.get("x-content-type-options")).toBe("nosniff");
  });
});
