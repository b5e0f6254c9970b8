// The edges' shared vocabulary: JSON errors with a one-line reason, and the mapping of
// domain errors to statuses, so each route handler stays a few lines long.
import { ParamError } from "../params";
import { log } from "../log";
import { refuseEarly, withSecurityHeaders, type RouteLimits } from "./access";

export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, init);
}

export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error, ...extra }, { status });
}

/**
 * Runs a handler: first the access step (lib/http/access.ts: who may be served, and whether the
 * body may be read), then the handler; bad parameters become 400 with their issues, anything
 * unexpected a logged 500. Every answer carries the API's security headers.
 */
export async function handle(request: Request, run: () => Promise<Response>, limits: RouteLimits = {}): Promise<Response> {
  const refusal = await refuseEarly(request, limits);
  if (refusal) {
    const response = jsonError(refusal.status, refusal.error, { code: refusal.code });
    if (refusal.status === 401) response.headers.set("WWW-Authenticate", 'Bearer realm="wechat-video-dashboard"');
    // Keeping the connection would mean reading a large refused body to its end: close it instead
    // (a small one is cheaper to drain than a reset that could cut the answer short).
    if (request.body && !(Number(request.headers.get("content-length")) <= 64 * 1024)) response.headers.set("Connection", "close");
    return withSecurityHeaders(response, request);
  }
  const response = await runHandler(request, run);
  // A 413 stopped reading the body part way: the connection cannot carry another request.
  if (response.status === 413) response.headers.set("Connection", "close");
  return withSecurityHeaders(response, request);
}

async function runHandler(request: Request, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ParamError) return jsonError(400, err.message, { issues: err.issues });
    // PostgreSQL's class 22 (data exception): a parameter the database cannot represent, such as a
    // date beyond its range. The input is at fault, not the server.
    if (isDataException(err)) return jsonError(400, `bad parameter: ${(err as Error).message.split("\n")[0]}`);
    log.error({ err, method: request.method, path: new URL(request.url).pathname }, "request failed");
    return jsonError(500, "internal error: see the server log");
  }
}

function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code);
}
