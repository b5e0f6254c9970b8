// secretsEqual must not tell a caller, by its time, how much of a guess was right or how long the
// secret is (issue 13, item 6: the upload token comparison used to return early on a length
// mismatch). Two tests, because a timing measurement alone is either flaky or too blunt:
// - structural: every comparison, whatever the lengths, ends in timingSafeEqual on two 32-byte
//   digests, so no early exit on length or content is possible; this is the one that fails for any
//   `===`, length check or byte loop put in its place.
// - measured: with a 64 KiB secret, a guess wrong at its first byte and one wrong at its last take
//   the same time, and so do guesses one byte too short or too long. A naive comparison differs
//   here by orders of magnitude, so the bound can be generous (3x on medians of batches) and still
//   not flake on a busy 2-core machine. The time does grow with the size of the given token itself
//   (it is hashed): that tells the caller only what it sent.
import * as crypto from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { secretsEqual } from "./secrets";

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const secret = crypto.randomBytes(48).toString("base64url"); // 64 characters, like a generated API_TOKEN

describe("secretsEqual in constant time", () => {
  afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear());

  it("compares fixed-length digests with timingSafeEqual, whatever the given length, and never throws", () => {
    const flipped = (i: number) => secret.slice(0, i) + (secret[i] === "A" ? "B" : "A") + secret.slice(i + 1);
    const guesses = ["", "A", secret.slice(0, -1), secret + "A", flipped(0), flipped(secret.length - 1), secret.repeat(100), "好".repeat(64)];
    for (const given of guesses) {
      vi.mocked(crypto.timingSafeEqual).mockClear();
      expect(secretsEqual(given, secret), given.slice(0, 20)).toBe(false);
      expect(crypto.timingSafeEqual, given.slice(0, 20)).toHaveBeenCalledTimes(1);
      const [a, b] = vi.mocked(crypto.timingSafeEqual).mock.calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    }
    expect(secretsEqual(secret, secret)).toBe(true);
  });

  it("takes the same time whether a guess is wrong at the first byte, the last, or by its length", () => {
    const long = crypto.randomBytes(48 * 1024).toString("base64url"); // 64 KiB: a naive compare's cost shows
    const wrongAt = (i: number) => long.slice(0, i) + (long[i] === "A" ? "B" : "A") + long.slice(i + 1);
    const cases = { first: wrongAt(0), last: wrongAt(long.length - 1), shorter: long.slice(0, -1), longer: long + "A" };
    // Fresh copies each time: V8 may cache a string's hash or flatten it, which a naive === would exploit.
    const median = (given: string) => {
      const samples: number[] = [];
      for (let sample = 0; sample < 31; sample++) {
        const copy = (" " + given).slice(1);
        const start = process.hrtime.bigint();
        for (let i = 0; i < 20; i++) secretsEqual(copy, long);
        samples.push(Number(process.hrtime.bigint() - start));
      }
      return samples.sort((x, y) => x - y)[15];
    };
    for (const given of Object.values(cases)) median(given); // warm-up
    const medians = Object.fromEntries(Object.entries(cases).map(([name, given]) => [name, median(given)]));
    const ratios = Object.fromEntries(Object.entries(medians).map(([name, ns]) => [name, ns / medians.last]));
    console.log("secretsEqual median ns per 20 calls (64 KiB secret):", medians, "ratio to 'last':", ratios);
    for (const [name, ratio] of Object.entries(ratios)) {
      expect(ratio, name).toBeGreaterThan(1 / 3);
      expect(ratio, name).toBeLessThan(3);
    }
  });
});
