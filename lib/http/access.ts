// Access decided where the data is served. Every route handler goes through handle()
// (responses.ts), which asks refuseEarly() first; the root layout asks pageAccess(). Both apply
// decideAccess, the policy the proxy applies too: the proxy is an early refusal and the place
// for page headers, never the only gate (Next skips it for requests carrying the build's
// preview id, and API routes are outside its matcher so that no body is buffered for it).
import { RequestCookies } from "next/dist/compiled/@edge-runtime/cookies";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { decideAccess, type AccessDecision, type AccessRequest } from "../auth/access";
import { sessionRevoked } from "../auth/auth-state";
import { isHttps } from "../auth/client-address";
import { currentConnection } from "../auth/connection";
import { securityHeaders } from "../auth/headers";
import { urlProblem } from "../auth/request-hygiene";
import { SESSION_COOKIE } from "../auth/session";
import { authSettings, type AuthSettings } from "../auth/settings";
import { db } from "../db/client";

export type RouteLimits = {
  /** Largest body the route reads: a Content-Length above it is answered 413 unread. */
  maxBodyBytes?: number;
};

/**
 * decideAccess, with a session that was logged out (on any instance: the list is in PostgreSQL)
 * treated as no session. When the database cannot say, the session is not trusted.
 */
export async function decideWithRevocation(settings: AuthSettings, req: AccessRequest, now: number): Promise<AccessDecision> {
  const decision = decideAccess(settings, req, now);
  if (decision.kind !== "allow" || !decision.sessionId) return decision;
  const revoked = await sessionRevoked(db(), decision.sessionId, now).catch(() => true);
  return revoked ? decideAccess(settings, { ...req, sessionToken: undefined }, now) : decision;
}

async function decide(method: string, url: URL, requestHeaders: Headers, sessionToken: string | undefined): Promise<AccessDecision> {
  const problem = urlProblem(url.pathname, url.search);
  if (problem) return { kind: "deny", status: 400, error: problem };
  return decideWithRevocation(
    authSettings(),
    {
      method,
      pathname: url.pathname,
      search: url.search,
      sessionToken,
      authorization: requestHeaders.get("authorization"),
      origin: requestHeaders.get("origin"),
      host: requestHeaders.get("host"),
      fetchSite: requestHeaders.get("sec-fetch-site"),
      peerAddress: currentConnection()?.remoteAddress,
    },
    Date.now(),
  );
}

export type Refusal = { status: 400 | 401 | 403 | 413; error: string; code: string };

const CODES: Record<Refusal["status"], string> = { 400: "bad_url", 401: "unauthenticated", 403: "forbidden", 413: "body_too_large" };

/**
 * Why a request must not reach its handler, or null. Decided from the headers alone, so an
 * unauthenticated or oversize body is never read.
 */
export async function refuseEarly(request: Request, limits: RouteLimits = {}): Promise<Refusal | null> {
  const decision = await decide(request.method, new URL(request.url), request.headers, new RequestCookies(request.headers).get(SESSION_COOKIE)?.value);
  if (decision.kind === "redirect") return { status: 401, error: "authentication required: log in at /login", code: CODES[401] };
  if (decision.kind === "deny") return { status: decision.status, error: decision.error, code: CODES[decision.status] };
  const declared = Number(request.headers.get("content-length"));
  if (limits.maxBodyBytes !== undefined && declared > limits.maxBodyBytes) {
    return { status: 413, error: `body of ${declared} bytes is over this route's limit of ${limits.maxBodyBytes} bytes`, code: CODES[413] };
  }
  return null;
}

/**
 * For an answer that stays open (the live stream): a signal that aborts once `request` would no
 * longer be let in, checked again every `intervalMs` with the same policy: its session logged out
 * (on any instance: the list is in PostgreSQL), expired, or not checkable because the database
 * cannot be asked. Access by the API token or without a password cannot end while the process
 * runs, and costs no query to check. The checks stop once `done` aborts (the client went away).
 */
export function accessEnds(request: Request, intervalMs: number, done: AbortSignal): AbortSignal {
  const ended = new AbortController();
  const url = new URL(request.url);
  const cookie = new RequestCookies(request.headers).get(SESSION_COOKIE)?.value;
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const decision = await decide(request.method, url, request.headers, cookie);
      if (decision.kind !== "allow") stop(decision.kind === "deny" ? decision.error : "authentication required");
    } catch (err) {
      stop((err as Error).message);
    } finally {
      checking = false;
    }
  };
  // Timers keep the request's async context: the connection's address (no password: loopback only).
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  function stop(reason: string) {
    clearInterval(timer);
    ended.abort(reason);
  }
  if (done.aborted) clearInterval(timer);
  else done.addEventListener("abort", () => clearInterval(timer), { once: true });
  return ended.signal;
}

/** Whether this request would be let into a protected API route (for answers with more detail). */
export async function mayReadProtected(request: Request): Promise<boolean> {
  const url = new URL("/api/health/details", request.url);
  return (await decide("GET", url, request.headers, new RequestCookies(request.headers).get(SESSION_COOKIE)?.value)).kind === "allow";
}

/** The security headers an API answer carries (the proxy no longer sees /api). */
export function withSecurityHeaders(response: Response, request: Request): Response {
  const https = authSettings().trustProxy ? isHttps(request.headers, request.url) : request.url.startsWith("https:");
  let secured = response;
  for (const [name, value] of Object.entries(securityHeaders({ api: true, https }))) {
    // A handler's own choice (the media route's Referrer-Policy, say) stands.
    if (secured.headers.has(name)) continue;
    try {
      secured.headers.set(name, value);
    } catch {
      // Immutable headers (a Response.redirect, a fetched response): copy once, then set.
      secured = new Response(secured.body, secured);
      secured.headers.set(name, value);
    }
  }
  return secured;
}

/**
 * For server-rendered pages (the root layout): returns when the request may see the page,
 * redirects to /login when it needs a session, and otherwise gives the reason it is refused.
 * The path is the one the connection asked for, never a header.
 */
export async function pageAccess(): Promise<{ allowed: true } | { allowed: false; reason: string }> {
  const requestHeaders = await headers();
  const target = currentConnection()?.target;
  // Without the connection's context the path is unknown: decide as for a protected page.
  const url = new URL(target && target.startsWith("/") ? target : "/", "http://page.invalid");
  url.searchParams.delete("_rsc");
  const decision = await decide("GET", url, requestHeaders, (await cookies()).get(SESSION_COOKIE)?.value);
  if (decision.kind === "redirect") redirect(decision.location);
  return decision.kind === "allow" ? { allowed: true } : { allowed: false, reason: decision.error };
}
