import { describe, expect, it } from "vitest";
import { clientAddress, isHttps } from "./client-address";

describe("client address and scheme", () => {
  it("takes the last X-Forwarded-For entry: the one the nearest proxy (or next start) added", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientAddress(new Headers({ "x-forwarded-for": "1.2.3.4, 198.51.100.7" }))).toBe("198.51.100.7");
    expect(clientAddress(new Headers())).toBe("unknown");
    expect(clientAddress(new Headers({ "x-forwarded-for": "x".repeat(500) })).length).toBe(64);
  });

  it("is https when the forwarded scheme or the URL says so", () => {
    expect(isHttps(new Headers({ "x-forwarded-proto": "https" }), "http://a/")).toBe(true);
    expect(isHttps(new Headers(), "https://a/")).toBe(true);
    expect(isHttps(new Headers({ "x-forwarded-proto": "http" }), "http://a/")).toBe(false);
  });
});
