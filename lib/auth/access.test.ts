import { describe, expect, it } from "vitest";
import { decideAccess, isPublicPath, safeNextPath, type AccessRequest, type AccessSettings } from "./access";
import { createSession, deriveSessionKey } from "./session";

const now = 1_750_000_000_000;
const sessionKey = deriveSessionKey("pw", "install-secret-0123456789abcdef0123");
const locked: AccessSettings = { loginRequired: true, apiToken: "api-token-123", sessionKey };
const session = createSession(sessionKey, now, 3_600_000).token;
const req = (pathname: string, extra: Partial<AccessRequest> = {}): AccessRequest => ({ method: "GET", pathname, search: "", peerAddress: "127.0.0.1", ...extra });

describe("decideAccess with DASHBOARD_PASSWORD and API_TOKEN", () => {
  it("lets the public paths through without credentials", () => {
    for (const path of ["/api/callback", "/api/health", "/login", "/api/login", "/api/logout", "/_next/static/chunks/a.js", "/favicon.ico"]) {
      expect(decideAccess(locked, req(path), now)).toEqual({ kind: "allow", via: "public" });
    }
  });

  it("protects everything else: pages redirect to /login, the API answers 401", () => {
    expect(decideAccess(locked, req("/videos", { search: "?q=a" }), now)).toEqual({ kind: "redirect", location: "/login?next=%2Fvideos%3Fq%3Da" });
    for (const path of ["/api/videos", "/api/videos/1", "/api/stream", "/api/media/1/video", "/api/export", "/api/metrics", "/api", "/api/callbackx", "/_next/image", "/_next/data/x.json"]) {
      const d = decideAccess(locked, req(path), now);
      expect(d.kind === "allow", path).toBe(false);
    }
    expect(decideAccess(locked, req("/api/videos"), now)).toMatchObject({ kind: "deny", status: 401 });
  });

  it("accepts a valid session cookie, or the API token on the API only", () => {
    expect(decideAccess(locked, req("/videos", { sessionToken: session }), now)).toMatchObject({ kind: "allow", via: "session" });
    expect(decideAccess(locked, req("/api/videos", { sessionToken: session }), now)).toMatchObject({ kind: "allow", via: "session" });
    expect(decideAccess(locked, req("/api/videos", { authorization: "Bearer api-token-123" }), now)).toEqual({ kind: "allow", via: "token" });
    expect(decideAccess(locked, req("/videos", { authorization: "Bearer api-token-123" }), now).kind).toBe("deny");
  });

  it("refuses a wrong token, a tampered or expired cookie", () => {
    for (const authorization of ["Bearer api-token-12", "Bearer api-token-1234", "Basic YTpi", "Bearer"]) {
      expect(decideAccess(locked, req("/api/videos", { authorization }), now)).toMatchObject({ kind: "deny", status: 401 });
    }
    // Another last character: one that changes the signature's bytes, and one that differs only in
    // base64url's spare bits, so it decodes to the same bytes.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(session.at(-1)!);
    for (const other of [last ^ 32, last ^ 1]) {
      expect(decideAccess(locked, req("/api/videos", { sessionToken: session.slice(0, -1) + alphabet[other] }), now).kind).toBe("deny");
    }
    expect(decideAccess(locked, req("/api/videos", { sessionToken: session }), now + 3_600_000).kind).toBe("deny");
  });

  it("refuses a cross-origin POST riding on the cookie", () => {
    const post = { method: "POST", sessionToken: session, host: "dash.example:3000" };
    expect(decideAccess(locked, req("/api/deliveries/1/replay", { ...post, origin: "http://evil.example" }), now)).toMatchObject({ status: 403 });
    expect(decideAccess(locked, req("/api/deliveries/1/replay", { ...post, origin: "http://dash.example:3000" }), now).kind).toBe("allow");
    expect(decideAccess(locked, req("/api/deliveries/1/replay", { ...post, fetchSite: "same-site" }), now)).toMatchObject({ status: 403 });
    expect(decideAccess(locked, req("/api/deliveries/1/replay", post), now)).toMatchObject({ status: 403 });
    // An explicit credential no page can add needs no such proof.
    expect(decideAccess(locked, req("/api/deliveries/1/replay", { method: "POST", authorization: "Bearer api-token-123" }), now).kind).toBe("allow");
  });

  it("refuses another site's form posting to login or logout", () => {
    const post = { method: "POST", host: "dash.example:3000" };
    expect(decideAccess(locked, req("/api/login", { ...post, origin: "http://evil.example" }), now)).toMatchObject({ status: 403 });
    expect(decideAccess(locked, req("/api/logout", { ...post, fetchSite: "cross-site" }), now)).toMatchObject({ status: 403 });
    expect(decideAccess(locked, req("/api/login", { ...post, origin: "http://dash.example:3000", fetchSite: "same-origin" }), now).kind).toBe("allow");
    // A state-changing request must prove it comes from this origin's pages.
    expect(decideAccess(locked, req("/api/login", post), now)).toMatchObject({ status: 403 });
    expect(decideAccess(locked, req("/api/login", { ...post, origin: "null" }), now)).toMatchObject({ status: 403 });
    expect(decideAccess(locked, req("/api/login", { ...post, origin: "http://dash.example:3000" }), now).kind).toBe("allow");
    expect(decideAccess(locked, req("/api/logout", { ...post, origin: "null", fetchSite: "same-origin" }), now).kind).toBe("allow");
    expect(decideAccess(locked, req("/api/logout", { ...post, origin: "null", fetchSite: "cross-site" }), now)).toMatchObject({ status: 403 });
    // The provider's callback is cross-site by nature.
    expect(decideAccess(locked, req("/api/callback", { ...post, origin: "http://provider.example" }), now).kind).toBe("allow");
  });
});

describe("decideAccess without DASHBOARD_PASSWORD", () => {
  it("is open when neither secret is set (loopback only)", () => {
    expect(decideAccess({ loginRequired: false }, req("/api/videos"), now)).toEqual({ kind: "allow", via: "open" });
    expect(decideAccess({ loginRequired: false }, req("/"), now)).toEqual({ kind: "allow", via: "open" });
  });

  it("with API_TOKEN alone, scripts need the token; pages and their own fetches stay open", () => {
    const tokenOnly: AccessSettings = { loginRequired: false, apiToken: "t0ken" };
    expect(decideAccess(tokenOnly, req("/"), now).kind).toBe("allow");
    expect(decideAccess(tokenOnly, req("/api/videos"), now)).toMatchObject({ kind: "deny", status: 401 });
    expect(decideAccess(tokenOnly, req("/api/videos", { fetchSite: "cross-site" }), now)).toMatchObject({ kind: "deny", status: 401 });
    expect(decideAccess(tokenOnly, req("/api/videos", { authorization: "Bearer wrong" }), now)).toMatchObject({ kind: "deny", status: 401 });
    expect(decideAccess(tokenOnly, req("/api/videos", { authorization: "Bearer t0ken" }), now).kind).toBe("allow");
    expect(decideAccess(tokenOnly, req("/api/stream", { fetchSite: "same-origin" }), now).kind).toBe("allow");
    expect(decideAccess(tokenOnly, req("/api/callback"), now).kind).toBe("allow");
  });

  it("serves only connections from a loopback address, whatever Host or forwarding headers say", () => {
    const open: AccessSettings = { loginRequired: false };
    for (const peerAddress of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      expect(decideAccess(open, req("/videos", { peerAddress, host: "localhost:3000" }), now).kind, peerAddress).toBe("allow");
    }
    for (const peerAddress of ["192.0.2.2", "::ffff:192.0.2.2", "fd00::2", undefined, null]) {
      for (const path of ["/", "/videos", "/api/videos", "/api/export"]) {
        expect(decideAccess(open, req(path, { peerAddress, host: "localhost:3000" }), now), `${path} ${peerAddress}`).toMatchObject({ kind: "deny", status: 403 });
      }
    }
    // The callback keeps its own token, and health says only status words to strangers.
    expect(decideAccess(open, req("/api/callback", { method: "POST", peerAddress: "192.0.2.2" }), now).kind).toBe("allow");
  });

  it("refuses a state-changing request that does not prove it is same-origin", () => {
    const open: AccessSettings = { loginRequired: false };
    const post = { method: "POST", host: "127.0.0.1:3000" };
    for (const proof of [{}, { origin: "null" }, { origin: "http://evil.example" }, { fetchSite: "cross-site" }, { fetchSite: "same-site" }, { fetchSite: "none" }, { fetchSite: "cross-site", origin: "http://127.0.0.1:3000" }]) {
      expect(decideAccess(open, req("/api/deliveries/1/replay", { ...post, ...proof }), now), JSON.stringify(proof)).toMatchObject({ kind: "deny", status: 403 });
    }
    for (const proof of [{ origin: "http://127.0.0.1:3000" }, { fetchSite: "same-origin" }, { fetchSite: "same-origin", origin: "null" }]) {
      expect(decideAccess(open, req("/api/deliveries/1/replay", { ...post, ...proof }), now).kind, JSON.stringify(proof)).toBe("allow");
    }
    for (const method of ["PUT", "DELETE", "PATCH"]) expect(decideAccess(open, req("/api/videos/1", { method }), now).kind, method).toBe("deny");
  });

  it("answers only to loopback Host names: no tunnel, reverse proxy or DNS rebinding reaches it", () => {
    const open: AccessSettings = { loginRequired: false };
    for (const host of ["127.0.0.1:3000", "localhost:3000", "[::1]:3000", "localhost"]) {
      expect(decideAccess(open, req("/", { host }), now).kind, host).toBe("allow");
    }
    for (const host of ["evil.example", "rebind.evil.example:3000", "192.168.1.10:3000", "abc.ngrok.app"]) {
      expect(decideAccess(open, req("/api/videos", { host }), now), host).toMatchObject({ kind: "deny", status: 403 });
      expect(decideAccess(open, req("/", { host }), now).kind, host).toBe("deny");
    }
    // The provider reaches the callback through whatever tunnel the operator set up.
    expect(decideAccess(open, req("/api/callback", { host: "abc.ngrok.app" }), now).kind).toBe("allow");
    // With a password any Host is fine: the session or token decides.
    expect(decideAccess(locked, req("/api/videos", { host: "dash.example", authorization: "Bearer api-token-123" }), now).kind).toBe("allow");
  });
});

describe("safeNextPath", () => {
  it("keeps same-site paths and drops anything that could leave the site", () => {
    expect(safeNextPath("/videos?q=a#x")).toBe("/videos?q=a#x");
    expect(safeNextPath("/videos/./1/../2?a=%2F%2Fx")).toBe("/videos/2?a=%2F%2Fx");
    const bad = [
      "//evil.example", "/.//evil.example/phish", "/./../..//evil.example", "/a/..//evil.example", "/\\evil.example", "/%2F%2Fevil.example", "/%2f/evil.example",
      "/%5Cevil.example", "/%5C%5Cevil.example", "/.%2F%2Fevil.example", "https://evil.example/", "http:evil.example", "HTTPS://evil.example", "javascript:alert(1)",
      " //evil.example", "/\t/evil.example", "/\n/evil.example", "/%E0%A4%A", "", null, "/login", "/api/videos", "x".repeat(3000),
    ];
    for (const next of bad) expect(safeNextPath(next), String(next)).toBe("/");
  });

  it("treats the public list as exact paths", () => {
    expect(isPublicPath("/api/health/")).toBe(true);
    expect(isPublicPath("/api/healthz")).toBe(false);
    expect(isPublicPath("/loginx")).toBe(false);
  });
});
