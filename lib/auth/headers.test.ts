import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce, securityHeaders } from "./headers";

describe("security headers", () => {
  it("lets pages run scripts only from this origin or with the request's nonce", () => {
    const nonce = newNonce();
    const csp = contentSecurityPolicy({ api: false, nonce });
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}';`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(newNonce()).not.toBe(nonce);
  });

  it("makes API answers inert data", () => {
    const headers = securityHeaders({ api: true });
    expect(headers["Content-Security-Policy"]).toMatch(/^default-src 'none'/);
    expect(headers).toMatchObject({ "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" });
    expect(headers["Strict-Transport-Security"]).toBeUndefined();
    expect(securityHeaders({ api: true, https: true })["Strict-Transport-Security"]).toMatch(/max-age=/);
  });
});
