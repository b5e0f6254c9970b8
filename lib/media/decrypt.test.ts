import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { decryptMedia, encryptMedia, parseAesKey } from "./decrypt";

describe("AES-128-ECB with PKCS7, as WeChat's CDN encrypts", () => {
  test("matches the FIPS-197 known answer, plus one block of padding", () => {
    const key = parseAesKey("000102030405060708090a0b0c0d0e0f")!;
    const plain = Buffer.from("00112233445566778899aabbccddeeff", "hex");
    const encrypted = encryptMedia(plain, key);
    expect(encrypted.subarray(0, 16).toString("hex")).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    expect(encrypted.length).toBe(32);
    expect(decryptMedia(encrypted, key)).toEqual(plain);
  });

  test("round-trips files of every length around a block boundary", () => {
    const key = randomBytes(16);
    for (const length of [0, 1, 15, 16, 17, 31, 32, 1000]) {
      const plain = randomBytes(length);
      const encrypted = encryptMedia(plain, key);
      expect(encrypted.length % 16).toBe(0);
      expect(decryptMedia(encrypted, key)).toEqual(plain);
    }
  });

  test("a wrong key does not give back the file: the padding check refuses it", () => {
    // Fixed bytes, so the outcome is the same on every run: with these keys the last block
    // decrypts to bytes that are not PKCS7 padding.
    const plain = Buffer.alloc(100, 0x41);
    const encrypted = encryptMedia(plain, parseAesKey("000102030405060708090a0b0c0d0e0f")!);
    expect(() => decryptMedia(encrypted, parseAesKey("0f0e0d0c0b0a09080706050403020100")!)).toThrow(
      expect.objectContaining({ code: "ERR_OSSL_BAD_DECRYPT" }),
    );
  });

  test("keys: surrounding whitespace is ignored, a longer or prefixed hex string is no key", () => {
    const hex = "000102030405060708090a0b0c0d0e0f";
    expect(parseAesKey(` ${hex}\n`)).toEqual(Buffer.from(hex, "hex"));
    expect(parseAesKey(`x${hex}`)).toBeNull();
    expect(parseAesKey(`${hex}0`)).toBeNull();
  });

  test("a file that was never encrypted (not whole blocks) is refused, not returned", () => {
    const key = parseAesKey("000102030405060708090a0b0c0d0e0f")!;
    const encrypted = encryptMedia(Buffer.alloc(100, 0x41), key);
    expect(() => decryptMedia(encrypted.subarray(0, 40), key)).toThrow(expect.objectContaining({ code: "ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH" }));
  });

  test("keys: 32 hex digits, or base64 of the 16 bytes or of the hex; anything else is no key", () => {
    const hex = "d34a4f140a50e6ae70e9d143d84cc539";
    const bytes = Buffer.from(hex, "hex");
    expect(parseAesKey(hex)).toEqual(bytes);
    expect(parseAesKey(hex.toUpperCase())).toEqual(bytes);
    expect(parseAesKey(bytes.toString("base64"))).toEqual(bytes);
    expect(parseAesKey(Buffer.from(hex).toString("base64"))).toEqual(bytes);
    for (const bad of [null, undefined, "", "  ", "abc", "d34a4f140a50e6ae70e9d143d84cc5", "zz4a4f140a50e6ae70e9d143d84cc539"]) {
      expect(parseAesKey(bad)).toBeNull();
    }
  });
});

// Written against the mutants Stryker left alive in lib/media (docs/testing.md).
describe("aes_key forms that are almost a key", () => {
  test("base64 with a stray character before or after, or of a longer or prefixed hex string, is no key", () => {
    const hex = "d34a4f140a50e6ae70e9d143d84cc539";
    const b64 = Buffer.from(hex, "hex").toString("base64");
    for (const bad of [`*${b64}`, `${b64}*`, `${b64}=*`, Buffer.from(`x${hex}`).toString("base64"), Buffer.from(`${hex}0`).toString("base64")]) {
      expect(parseAesKey(bad), bad).toBeNull();
    }
  });
});
