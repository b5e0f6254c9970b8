// Written to kill mutants that survived the sniffing tests (docs/testing.md, "Mutation
// testing"): every signature the sniffer knows, each at its shortest, and the extensions.
import { describe, expect, it } from "vitest";
import { extensionFor, sniff } from "./sniff";

const box = (type: string, brand = "") => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from(type, "latin1"), Buffer.from(brand.padEnd(4, " "), "latin1")]);

const SIGNATURES: [name: string, head: Buffer, contentType: string][] = [
    ...["moov", "mdat", "wide", "free", "skip"].map((b) => [`QuickTime box ${b}`, box(b, "xxxx"), "video/quicktime"] as [string, Buffer, string]),
    ["ftyp qt", box("ftyp", "qt  "), "video/quicktime"],
    ["ftyp isom", box("ftyp", "isom"), "video/mp4"],
    ...["heic", "heix", "heim", "heis", "mif1", "msf1"].map((b) => [`ftyp ${b}`, box("ftyp", b), "image/heic"] as [string, Buffer, string]),
    ...["avif", "avis"].map((b) => [`ftyp ${b}`, box("ftyp", b), "image/avif"] as [string, Buffer, string]),
    ["WebP", Buffer.from("RIFF\0\0\0\0WEBP", "latin1"), "image/webp"],
    ["WebM, 4 bytes", Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), "video/webm"],
    ["JPEG, 3 bytes", Buffer.from([0xff, 0xd8, 0xff]), "image/jpeg"],
    ["PNG, 8 bytes", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), "image/png"],
    ["GIF87a", Buffer.from("GIF87a", "latin1"), "image/gif"],
  ["GIF89a", Buffer.from("GIF89a", "latin1"), "image/gif"],
];

describe("sniffing every known signature", () => {
  it.each(SIGNATURES)("%s", (_name, head, contentType) => {
    expect(sniff(head)?.contentType).toBe(contentType);
  });

  it.each([
    ["a RIFF that is not WebP", Buffer.from("RIFF\0\0\0\0WAVE", "latin1")],
    ["JPEG with a wrong third byte", Buffer.from([0xff, 0xd8, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ["JPEG with a wrong second byte", Buffer.from([0xff, 0x00, 0xff])],
    ["a PNG signature cut short", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a])],
    ["GIF88a", Buffer.from("GIF88a", "latin1")],
    ["a box type alone, under 12 bytes", Buffer.from([0, 0, 0, 8, 0x6d, 0x6f, 0x6f, 0x76])],
    ["an unknown box", box("abcd", "isom")],
  ])("refuses %s", (_name, head) => {
    expect(sniff(head)).toBeNull();
  });

  it("names the file by what it is", () => {
    const names = ["video/mp4", "video/quicktime", "video/webm", "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/avif", "text/html"].map(extensionFor);
    expect(names).toEqual(["mp4", "mov", "webm", "jpg", "png", "gif", "webp", "heic", "avif", "bin"]);
  });
});
