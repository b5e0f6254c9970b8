// Who may see what: the decision the proxy enforces for every request, kept free of Next so it
// can be tested directly. Everything not listed as public needs credentials.
import { isLoopbackHost } from "../config";
import { isLoopbackAddress } from "./connection";
import { secretsEqual } from "./secrets";
import { verifySession, type SessionKey } from "./session";

export type AccessSettings = {
  /** DASHBOARD_PASSWORD is set: pages and the API need a session (or the API token). */
  loginRequired: boolean;
  /** API_TOKEN, accepted as `Authorization: Bearer <token>` on /api routes. */
  apiToken?: string;
  sessionKey?: SessionKey;
};

export type AccessRequest = {
  method: string;
  pathname: string;
  search: string;
  sessionToken?: string;
  authorization?: string | null;
  origin?: string | null;
  host?: string | null;
  /** Sec-Fetch-Site, which browsers set and pages cannot forge. */
  fetchSite?: string | null;
  /** The TCP peer's address (lib/auth/connection.ts); undefined when it could not be learnt. */
  peerAddress?: string | null;
};

export type AccessDecision =
  /** `sessionId`: the session's, to be checked against the logged-out list (login.ts) by the caller. */
  | { kind: "allow"; via: "public" | "open" | "session" | "token"; sessionId?: string }
  | { kind: "redirect"; location: string }
  | { kind: "deny"; status: 400 | 401 | 403; error: string };

// /api/callback checks its own CALLBACK_TOKEN; /api/health is for load balancers and monitors.
const PUBLIC_EXACT = new Set(["/api/callback", "/api/health", "/login", "/api/login", "/api/logout", "/favicon.ico", "/robots.txt"]);
const PUBLIC_PREFIXES = ["/_next/static/"];

export function isPublicPath(pathname: string): boolean {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return PUBLIC_EXACT.has(path) || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p));
}

export function isApiPath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const SESSION_ENDPOINTS = new Set(["/api/login", "/api/logout"]);

/**
 * A state-changing request must show that a page of this origin sent it: browsers send
 * Sec-Fetch-Site, which pages cannot forge; clients that do not must send a same-origin Origin
 * (with Referrer-Policy: no-referrer a form post's Origin is "null", but it has Sec-Fetch-Site).
 * Requests carrying an explicit credential (the API token) are exempt: no page can add one.
 */
function provenSameOrigin(req: AccessRequest): boolean {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return true;
  if (req.fetchSite) return req.fetchSite === "same-origin";
  return !!req.origin && req.origin !== "null" && sameOrigin(req.origin, req.host);
}

const CROSS_ORIGIN: AccessDecision = {
  kind: "deny",
  status: 403,
  error: "cross-origin request refused: a state-changing request needs Sec-Fetch-Site: same-origin or a same-origin Origin header",
};

export function decideAccess(settings: AccessSettings, req: AccessRequest, now: number): AccessDecision {
  if (isPublicPath(req.pathname)) {
    // Another site's form must not log a visitor in or out, nor burn their login attempts.
    if (SESSION_ENDPOINTS.has(req.pathname) && !provenSameOrigin(req)) return CROSS_ORIGIN;
    return { kind: "allow", via: "public" };
  }
  const api = isApiPath(req.pathname);
  if (!settings.loginRequired) return decideWithoutLogin(settings, req, api);

  const bearer = bearerToken(req.authorization);
  if (bearer !== null) {
    // A wrong token is refused outright, even alongside a valid cookie: scripts should learn.
    if (api && settings.apiToken && secretsEqual(bearer, settings.apiToken)) return { kind: "allow", via: "token" };
    return { kind: "deny", status: 401, error: api ? "wrong API token" : "API tokens are for /api routes: log in at /login" };
  }

  const session = settings.sessionKey ? verifySession(settings.sessionKey, req.sessionToken, now) : null;
  if (session) {
    // SameSite=Lax already keeps the cookie off cross-site POSTs; this also refuses a same-site
    // but cross-origin page (another port or subdomain) changing anything.
    return provenSameOrigin(req) ? { kind: "allow", via: "session", sessionId: session.id } : CROSS_ORIGIN;
  }

  if (api) {
    const how = settings.apiToken ? "log in at /login, or send Authorization: Bearer <API_TOKEN>" : "log in at /login";
    return { kind: "deny", status: 401, error: `authentication required: ${how}` };
  }
  return { kind: "redirect", location: `/login?next=${encodeURIComponent(req.pathname + req.search)}` };
}

/**
 * No password: the dashboard is for this machine only. The connection must come from a loopback
 * address (the socket's, which no header can change). The Host must be a loopback name too: any
 * other means a tunnel or reverse proxy, or a web page that rebound its own domain to 127.0.0.1 to
 * read this one. API_TOKEN then guards the API from scripts, while the dashboard's own pages
 * (same-origin fetches in a browser) keep working.
 */
function decideWithoutLogin(settings: AccessSettings, req: AccessRequest, api: boolean): AccessDecision {
  if (!isLoopbackAddress(req.peerAddress)) {
    const from = req.peerAddress ? `, not ${req.peerAddress.slice(0, 60)}` : "";
    return { kind: "deny", status: 403, error: `without DASHBOARD_PASSWORD this dashboard only answers connections from this machine${from}: set DASHBOARD_PASSWORD` };
  }
  if (req.host && !isLoopbackHost(hostName(req.host))) {
    return { kind: "deny", status: 403, error: `without DASHBOARD_PASSWORD this dashboard only answers on localhost, not ${hostName(req.host).slice(0, 100)}: set DASHBOARD_PASSWORD` };
  }
  const bearer = bearerToken(req.authorization);
  if (api && settings.apiToken && bearer !== null) {
    return secretsEqual(bearer, settings.apiToken) ? { kind: "allow", via: "token" } : { kind: "deny", status: 401, error: "wrong API token" };
  }
  if (!provenSameOrigin(req)) return CROSS_ORIGIN;
  if (!api || !settings.apiToken) return { kind: "allow", via: "open" };
  if (req.fetchSite === "same-origin") return { kind: "allow", via: "open" };
  return { kind: "deny", status: 401, error: "authentication required: send Authorization: Bearer <API_TOKEN>" };
}

function hostName(host: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(host.trim());
  return m ? m[1] : host;
}

function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m ? m[1] : "";
}

function sameOrigin(origin: string, host: string | null | undefined): boolean {
  try {
    return !!host && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Where to go after logging in: a path on this site, never another origin. Checked after the
 * URL parser's normalisation (`/.//evil.example` becomes `//evil.example`) and after decoding
 * percent-escapes (`/%2F%2Fevil.example`), and the result must resolve to this origin again.
 * Anything else falls back to "/".
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || next.length > 2000 || !next.startsWith("/")) return "/";
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  const base = "http://dashboard.invalid";
  try {
    const url = new URL(next, base);
    const path = url.pathname + url.search + url.hash;
    // Decoded and normalised again: what a server or browser that decodes escapes would see.
    const decoded = new URL(decodeURIComponent(url.pathname).replaceAll("\\", "/"), base);
    const leaves = (u: URL) => u.origin !== base || /^\/[/\\]/.test(u.pathname);
    if (leaves(url) || leaves(decoded) || /^\/[/\\]/.test(path) || new URL(path, base).origin !== base) return "/";
    if (url.pathname === "/login" || url.pathname.startsWith("/api/")) return "/";
    return path;
  } catch {
    return "/";
  }
}
