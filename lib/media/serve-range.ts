// Answers a request for a cached file: one byte range (206) when asked, so a player can seek;
// 304 when the browser already has it; HEAD without a body. The file is content-addressed, so
// its sha256 is a strong ETag.
import { Readable } from "node:stream";
import { extensionFor } from "./sniff";
import type { StoredMedia } from "./cache";

export type ByteRange = { start: number; end: number };

/**
 * The single range a Range header asks for; "unsatisfiable" when it starts past the end;
 * null when there is none, or several (the whole file is then sent, which RFC 9110 allows).
 * Parsed by splitting, in time linear in the header's length: a regular expression with
 * optional whitespace on both sides of optional digits backtracks quadratically on a header
 * padded with spaces.
 */
export function parseRange(header: string | null, size: number): ByteRange | "unsatisfiable" | null {
  if (!header) return null;
  const eq = header.indexOf("=");
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return null;
  const spec = header.slice(eq + 1);
  const dash = spec.indexOf("-");
  if (dash < 0) return null;
  const m = [spec, spec.slice(0, dash).trim(), spec.slice(dash + 1).trim()];
  if (!/^\d*$/.test(m[1]) || !/^\d*$/.test(m[2]) || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return null;
  return { start, end };
}

/**
 * The answer for `media`; `open` reads the object (or one range of it) from the store, and is
 * awaited before the answer starts, so a store that cannot be reached is a 503, never a broken file.
 */
export async function mediaResponse(
  request: Request,
  media: StoredMedia,
  options: { filename: string; download: boolean },
  open: (range?: ByteRange) => Promise<Readable>,
): Promise<Response> {
  const etag = `"${media.sha256}"`;
  const headers = new Headers({
    "content-type": media.contentType,
    etag,
    // Private: behind the dashboard's login. The file behind a (video, kind) never changes.
    "cache-control": "private, max-age=86400",
    "accept-ranges": "bytes",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "content-disposition": `${options.download ? "attachment" : "inline"}; filename="${options.filename}.${extensionFor(media.contentType)}"`,
  });
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch && ifNoneMatch.split(",").some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === "*")) {
    return new Response(null, { status: 304, headers });
  }
  const ifRange = request.headers.get("if-range");
  const range = ifRange && ifRange.trim() !== etag ? null : parseRange(request.headers.get("range"), media.bytes);
  if (range === "unsatisfiable") {
    headers.set("content-range", `bytes */${media.bytes}`);
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify({ error: `range not satisfiable: the file has ${media.bytes} bytes`, reason: "range_not_satisfiable" }), {
      status: 416,
      headers,
    });
  }
  const { start, end } = range ?? { start: 0, end: media.bytes - 1 };
  headers.set("content-length", String(Math.max(0, end - start + 1)));
  if (range) headers.set("content-range", `bytes ${start}-${end}/${media.bytes}`);
  const status = range ? 206 : 200;
  if (request.method === "HEAD" || media.bytes === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(await open(range ?? undefined)) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}
