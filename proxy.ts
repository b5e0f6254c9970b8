// Next 16's proxy (formerly middleware): runs before every page. It refuses early what the
// access policy of lib/auth/access.ts refuses (redirecting to /login) and puts the security
// headers, with a per-request CSP nonce, on every page. It is not the gate: the root layout and
// the route handlers' wrapper decide again (lib/http/access.ts), since Next skips the proxy for a
// request carrying the build's preview id. /api is outside its matcher: Next would buffer every
// non-GET body (up to 10 MiB, truncating beyond) before the proxy runs, and the API's wrapper
// already refuses before reading a body.
import { NextResponse, type NextRequest } from "next/server";
import { isApiPath, type AccessDecision } from "@/lib/auth/access";
import { UNTRUSTED_FORWARDING_HEADERS, isHttps } from "@/lib/auth/client-address";
import { currentConnection } from "@/lib/auth/connection";
import { contentSecurityPolicy, newNonce, securityHeaders } from "@/lib/auth/headers";
import { urlProblem } from "@/lib/auth/request-hygiene";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { authSettings } from "@/lib/auth/settings";
import { decideWithRevocation } from "@/lib/http/access";

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const settings = authSettings();
  const { pathname, search } = request.nextUrl;
  const api = isApiPath(pathname);
  const headerOptions = {
    api,
    nonce: api ? undefined : newNonce(),
    dev: process.env.NODE_ENV === "development",
    https: settings.trustProxy ? isHttps(request.headers, request.url) : request.url.startsWith("https:"),
  };
  const problem = urlProblem(pathname, search);
  const decision: AccessDecision = problem ? { kind: "deny", status: 400, error: problem } : await decideWithRevocation(
    settings,
    {
      method: request.method,
      pathname,
      search,
      sessionToken: request.cookies.get(SESSION_COOKIE)?.value,
      authorization: request.headers.get("authorization"),
      origin: request.headers.get("origin"),
      host: request.headers.get("host"),
      fetchSite: request.headers.get("sec-fetch-site"),
      peerAddress: currentConnection()?.remoteAddress,
    },
    Date.now(),
  );

  let response: NextResponse;
  if (decision.kind === "allow") {
    const forwarded = new Headers(request.headers);
    // Without a trusted reverse proxy these headers are whatever the client wrote; removing them
    // makes Next fill X-Forwarded-For with the connection's real address.
    if (!settings.trustProxy) for (const name of UNTRUSTED_FORWARDING_HEADERS) forwarded.delete(name);
    if (headerOptions.nonce) {
      // Next reads the nonce from the request's CSP header and puts it on its own scripts.
      forwarded.set("x-nonce", headerOptions.nonce);
      forwarded.set("content-security-policy", contentSecurityPolicy(headerOptions));
    }
    response = NextResponse.next({ request: { headers: forwarded } });
  } else if (decision.kind === "redirect") {
    response = NextResponse.redirect(new URL(decision.location, request.url), 307);
  } else {
    response = NextResponse.json({ error: decision.error }, { status: decision.status });
    if (decision.status === 401) response.headers.set("WWW-Authenticate", 'Bearer realm="wechat-video-dashboard"');
  }
  for (const [name, value] of Object.entries(securityHeaders(headerOptions))) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but the API (see above); static files too, for their security headers.
  matcher: ["/((?!api/).*)"],
};
