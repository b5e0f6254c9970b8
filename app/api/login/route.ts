import { safeNextPath } from "@/lib/auth/access";
import { clientAddress, isHttps } from "@/lib/auth/client-address";
import { attemptLogin, sessionCookie } from "@/lib/auth/login";
import { isFormPost, parseLoginBody } from "@/lib/auth/login-request";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { authSettings } from "@/lib/auth/settings";
import { db } from "@/lib/db/client";
import { readBodyWithLimit } from "@/lib/http/body";
import { handle, jsonError } from "@/lib/http/responses";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

const LOGIN_MAX_BYTES = 8192;

// An HTML form (works without JavaScript) is answered with redirects; fetch and scripts get JSON.
export async function POST(request: Request): Promise<Response> {
  return handle(
    request,
    async () => {
      const form = isFormPost(request.headers.get("content-type"));
      const body = await readBodyWithLimit(request, LOGIN_MAX_BYTES);
      if (body.tooLarge) return jsonError(413, "login body over 8 KiB");
      const input = parseLoginBody(body.data.toString("utf8"), form);
      if ("error" in input) return form ? backToLogin("missing") : jsonError(400, input.error);

      const settings = authSettings();
      const address = clientAddress(request.headers, settings.trustProxy);
      const result = await attemptLogin(db(), settings, input.password, address, Date.now());
      // For the operator (and fail2ban): who failed, never what they typed.
      if (!result.ok) log.warn({ address, status: result.status }, result.status === 429 ? "login refused: rate limit" : "login failed");
      const next = safeNextPath(input.next);
      if (!result.ok) {
        if (form) return backToLogin(result.status === 429 ? "limited" : result.status === 400 ? "off" : "wrong", next);
        const response = jsonError(result.status, result.error);
        if (result.retryAfterSeconds) response.headers.set("Retry-After", String(result.retryAfterSeconds));
        return response;
      }
      const cookie = sessionCookie(SESSION_COOKIE, result.token, { maxAgeSeconds: result.maxAgeSeconds, secure: isHttps(request.headers, request.url) });
      const response = form ? seeOther(next) : Response.json({ ok: true, next });
      response.headers.append("Set-Cookie", cookie);
      response.headers.set("Cache-Control", "no-store");
      return response;
    },
    { maxBodyBytes: LOGIN_MAX_BYTES },
  );
}

function backToLogin(error: string, next = "/"): Response {
  return seeOther(`/login?error=${error}${next === "/" ? "" : `&next=${encodeURIComponent(next)}`}`);
}

// A relative Location: the Host header is the client's to write, the path is ours.
function seeOther(path: string): Response {
  return new Response(null, { status: 303, headers: { Location: path } });
}
