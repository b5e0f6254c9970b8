import { describe, expect, it } from "vitest";
import { FailureWindow } from "./rate-limit";

describe("FailureWindow", () => {
  it("allows `limit` failures per window, then says when to come back", () => {
    const w = new FailureWindow(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(w.check("a", 1000 + i)).toEqual({ allowed: true });
      w.recordFailure("a", 1000 + i);
    }
    expect(w.check("a", 2000)).toEqual({ allowed: false, retryAfterSeconds: 59 });
    expect(w.check("b", 2000)).toEqual({ allowed: true });
    // The window slides: once the first failure is a minute old, one more try is allowed.
    expect(w.check("a", 61_001)).toEqual({ allowed: true });
  });

  it("forgets a key, and stays bounded under a flood of keys", () => {
    const w = new FailureWindow(1, 60_000, 100);
    w.recordFailure("a", 0);
    w.forget("a");
    expect(w.check("a", 1)).toEqual({ allowed: true });
    for (let i = 0; i < 1000; i++) w.recordFailure(`k${i}`, 1);
    expect((w as unknown as { failures: Map<string, number[]> }).failures.size).toBeLessThanOrEqual(100);
  });
});
