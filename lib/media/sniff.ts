// What a file is, from its first bytes. The CDN sends no trustworthy Content-Type, and a
// successful AES decryption of the wrong key still yields bytes: only the magic numbers tell
// media from garbage, so they decide both "is this already plain?" and "did decryption work?".

export type MediaKind = "video" | "preview";

export type Sniffed = { contentType: string; kind: "video" | "image" };

/** Bytes needed to recognise every format below. */
export const SNIFF_BYTES = 16;

const ascii = (bytes: Buffer, start: number, end: number) => bytes.subarray(start, end).toString("latin1");

/** The media type of `head` (a file's first bytes), or null when it is no media we serve. */
export function sniff(head: Buffer): Sniffed | null {
  if (head.length >= 12) {
    const box = ascii(head, 4, 8);
    if (box === "ftyp") return isoBrand(ascii(head, 8, 12));
    // Old QuickTime files may open with another top-level box.
    if (box === "moov" || box === "mdat" || box === "wide" || box === "free" || box === "skip") {
      return { contentType: "video/quicktime", kind: "video" };
    }
    if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return { contentType: "image/webp", kind: "image" };
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { contentType: "video/webm", kind: "video" };
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { contentType: "image/jpeg", kind: "image" };
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return { contentType: "image/png", kind: "image" };
  if (head.length >= 6 && (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a")) return { contentType: "image/gif", kind: "image" };
  return null;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function isoBrand(brand: string): Sniffed {
  if (brand === "qt  ") return { contentType: "video/quicktime", kind: "video" };
  if (["heic", "heix", "heim", "heis", "mif1", "msf1"].includes(brand)) return { contentType: "image/heic", kind: "image" };
  if (brand === "avif" || brand === "avis") return { contentType: "image/avif", kind: "image" };
  return { contentType: "video/mp4", kind: "video" };
}

/** Whether a sniffed file may be served as `kind`: the video link must give a video, the preview an image. */
export function fitsKind(sniffed: Sniffed, kind: MediaKind): boolean {
  return kind === "video" ? sniffed.kind === "video" : sniffed.kind === "image";
}

const EXTENSIONS: Record<string, string> = {
  "video/mp4": "mp4",
  "video/quicktime": "mov",
  "video/webm": "webm",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/heic": "heic",
  "image/avif": "avif",
};

/** A file-name extension for a content type from `sniff`, for downloads. */
export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType] ?? "bin";
}
