// Who made a request, for the log of what they changed. The proxy has already checked the
// credentials (lib/auth/access.ts); this only names which kind let the request through.
import { SESSION_COOKIE } from "../auth/session";

export type Actor = "api-token" | "session" | "open";

export function actorOf(request: Request): Actor {
  if (/^Bearer\s/i.test(request.headers.get("authorization") ?? "")) return "api-token";
  const cookies = request.headers.get("cookie") ?? "";
  if (cookies.split(/;\s*/).some((c) => c.startsWith(`${SESSION_COOKIE}=`))) return "session";
  return "open";
}
