import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { fitsKind, sniff } from "./sniff";

const demo = (name: string) => readFileSync(new URL(`../../scripts/demo/media/${name}`, import.meta.url));
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

describe("sniffing media by their magic bytes", () => {
  test.each([
    ["MP4 (ftyp isom)", bytes([0, 0, 0, 0x20], "ftypisom", [0, 0, 2, 0]), "video/mp4", "video"],
    ["MP4 (ftyp mp42)", bytes([0, 0, 0, 0x18], "ftypmp42", [0, 0, 0, 0]), "video/mp4", "video"],
    ["QuickTime", bytes([0, 0, 0, 0x14], "ftypqt  ", [0, 0, 0, 0]), "video/quicktime", "video"],
    ["WebM (EBML)", bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]), "video/webm", "video"],
    ["JPEG", bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF"), "image/jpeg", "image"],
    ["PNG", bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], "IHDR"), "image/png", "image"],
    ["GIF", bytes("GIF89a", [1, 0, 1, 0]), "image/gif", "image"],
    ["WebP", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "), "image/webp", "image"],
  ])("%s", (_name, head, contentType, kind) => {
    expect(sniff(head)).toEqual({ contentType, kind });
  });

  test("the demo's clips and previews are what they claim", () => {
    expect(sniff(demo("clip-a.mp4"))?.contentType).toBe("video/mp4");
    expect(sniff(demo("preview-a.jpg"))?.contentType).toBe("image/jpeg");
  });

  test("text, random bytes, truncated heads and encrypted media are not media", () => {
    expect(sniff(Buffer.from("<html><body>expired</body></html>"))).toBeNull();
    expect(sniff(Buffer.from('{"errcode":-1}'))).toBeNull();
    expect(sniff(Buffer.alloc(0))).toBeNull();
    expect(sniff(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(sniff(bytes("RIFF", [0, 0, 0, 0], "WAVE"))).toBeNull();
    // 1,000 random 16-byte heads: none passes as media (what decides "encrypted or plain").
    const falsePositives = Array.from({ length: 1000 }, () => sniff(randomBytes(16))).filter(Boolean);
    expect(falsePositives).toEqual([]);
  });

  test("the video link must give a video and the preview link an image", () => {
    expect(fitsKind({ contentType: "video/mp4", kind: "video" }, "video")).toBe(true);
    expect(fitsKind({ contentType: "image/jpeg", kind: "image" }, "video")).toBe(false);
    expect(fitsKind({ contentType: "image/jpeg", kind: "image" }, "preview")).toBe(true);
    expect(fitsKind({ contentType: "video/mp4", kind: "video" }, "preview")).toBe(false);
  });
});
