import type { NextRequest } from "next/server";
import { isHttps } from "@/lib/auth/client-address";
import { logout, sessionCookie } from "@/lib/auth/login";
import { isFormPost } from "@/lib/auth/login-request";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { authSettings } from "@/lib/auth/settings";
import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest): Promise<Response> {
  return handle(
    request,
    async () => {
      await logout(db(), authSettings(), request.cookies.get(SESSION_COOKIE)?.value, Date.now());
      const response = isFormPost(request.headers.get("content-type"))
        ? new Response(null, { status: 303, headers: { Location: "/login" } })
        : Response.json({ ok: true });
      response.headers.append("Set-Cookie", sessionCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: isHttps(request.headers, request.url) }));
      response.headers.set("Cache-Control", "no-store");
      return response;
    },
    { maxBodyBytes: 8192 },
  );
}
