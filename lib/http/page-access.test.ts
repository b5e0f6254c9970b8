// The root layout's own access check (pageAccess), on its own. In the running app the proxy
// refuses first, so a layout that let everyone in would pass every end-to-end test; here the
// layout's decision is taken alone, with Next's request APIs given the request's headers and
// cookies, the connection's context as the patched HTTP server sets it, and the revocation list
// in a real PostgreSQL.
import type { AsyncLocalStorage } from "node:async_hooks";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { revokeSessionId } from "../auth/auth-state";
import type { Connection } from "../auth/connection";
import { createSession, SESSION_COOKIE } from "../auth/session";
import { authSettings } from "../auth/settings";
import { pageAccess } from "./access";

const request = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  cookies: async () => ({ get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name) } : undefined) }),
}));
class Redirected extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
  }
}
vi.mock("next/navigation", () => ({
  redirect: (location: string) => {
    throw new Redirected(location);
  },
}));

const db = useTestDatabase();

beforeAll(() => {
  // Read once by config() and authSettings(), on their first use below.
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("DASHBOARD_PASSWORD", "page-access-password");
  vi.stubEnv("SESSION_SECRET", "page-access-session-secret");
  vi.stubEnv("API_TOKEN", "page-access-api-token");
});

/** What pageAccess() decides for a page request that arrived on a connection as `target`. */
async function visit(target: string, { session, headers = {}, remoteAddress = "203.0.113.7" }: { session?: string; headers?: Record<string, string>; remoteAddress?: string } = {}) {
  request.headers = new Headers({ host: "dashboard.example", ...headers });
  request.cookies = new Map(session ? [[SESSION_COOKIE, session]] : []);
  const storage = (globalThis as unknown as { __videoDashboardConnection: AsyncLocalStorage<Connection> }).__videoDashboardConnection;
  try {
    return await storage.run({ remoteAddress, target }, () => pageAccess());
  } catch (err) {
    if (err instanceof Redirected) return { redirect: err.location };
    throw err;
  }
}

function login(now = Date.now()) {
  const settings = authSettings();
  return createSession(settings.sessionKey!, now, settings.sessionTtlMs);
}

describe("the root layout's own access check (pageAccess), with DASHBOARD_PASSWORD set", () => {
  it("lets a page render for a live session, and sends a visitor without one to /login, coming back to the page", async () => {
    expect(await visit("/videos?q=%E8%A7%86%E9%A2%91", { session: login().token })).toEqual({ allowed: true });
    expect(await visit("/videos?q=%E8%A7%86%E9%A2%91")).toEqual({ redirect: "/login?next=%2Fvideos%3Fq%3D%25E8%25A7%2586%25E9%25A2%2591" });
    expect(await visit("/login")).toEqual({ allowed: true });
  });

  it("refuses a session that was logged out (on any instance: the list is in PostgreSQL), expired or forged", async () => {
    const { token, session } = login();
    expect(await visit("/conversations", { session: token })).toEqual({ allowed: true });
    await revokeSessionId(db.client, session.id, session.expires, Date.now());
    expect(await visit("/conversations", { session: token })).toEqual({ redirect: "/login?next=%2Fconversations" });

    const expired = login(Date.now() - authSettings().sessionTtlMs - 1000).token;
    expect(await visit("/conversations", { session: expired })).toEqual({ redirect: "/login?next=%2Fconversations" });
    const forged = `${token.slice(0, -2)}${token.endsWith("AA") ? "AB" : "AA"}`;
    expect(await visit("/conversations", { session: forged })).toEqual({ redirect: "/login?next=%2Fconversations" });
  });

  it("takes the path from the connection, never from a header that names another one", async () => {
    const claims = { "x-invoke-path": "/login", "x-matched-path": "/login", "next-url": "/login", "x-forwarded-uri": "/login" };
    expect(await visit("/videos/1", { headers: claims })).toEqual({ redirect: "/login?next=%2Fvideos%2F1" });
    // An RSC request's own marker is not part of the page it comes back to.
    expect(await visit("/videos/1?_rsc=abc")).toEqual({ redirect: "/login?next=%2Fvideos%2F1" });
  });

  it("gives a reason instead of the page for the API token (it opens /api routes only) and for a hostile path", async () => {
    expect(await visit("/videos", { headers: { authorization: "Bearer page-access-api-token" } })).toEqual({
      allowed: false,
      reason: "API tokens are for /api routes: log in at /login",
    });
    const hostile = await visit("/videos/%00", { session: login().token });
    expect(hostile).toMatchObject({ allowed: false });
  });
});
