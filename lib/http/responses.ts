// The edges' shared vocabulary: JSON errors with a one-line reason, and the mapping of
// domain errors to statuses, so each route handler stays a few lines long.
import { errorLine, pgErrorKind } from "../db/errors";
import { log } from "../log";
import { DomainError, type ErrorKind } from "../shared/errors";
import { refuseEarly, withSecurityHeaders, type RouteLimits } from "./access";

export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, init);
}

/** The status each kind of domain error is answered with. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  busy: 429,
  upstream: 502,
  unavailable: 503,
  upstream_timeout: 504,
};

/** The `code` of an error body whose caller named none: one per status. */
export const CODE_OF_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "too_many_requests",
  500: "internal",
  502: "bad_gateway",
  503: "unavailable",
  504: "timeout",
};

/** `{error, code, ...extra}`: `code` is `extra.code` when given, else the status's. */
export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  const code = CODE_OF_STATUS[status] ?? (status >= 500 ? "internal" : "bad_request");
  return Response.json({ error, code, ...extra }, { status });
}

/**
 * Runs a handler: first the access step (lib/http/access.ts: who may be served, and whether the
 * body may be read), then the handler. A domain error (bad parameters, media refusals, ...)
 * becomes its kind's status with its code and details; anything unexpected a logged 500. Every
 * answer carries the API's security headers.
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
  const response = await mapErrors(request, run);
  // A 413 stopped reading the body part way: the connection cannot carry another request.
  if (response.status === 413) response.headers.set("Connection", "close");
  return withSecurityHeaders(response, request);
}

/** The handler's answer, with a thrown error mapped to its status and code (handle() without its access step). */
export async function mapErrors(request: Request, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainError) return jsonError(STATUS_OF_KIND[err.kind], err.message, { ...err.details, code: err.code });
    const pgKind = pgErrorKind(err);
    // A value the database refused (a date beyond its range, a key too long): the input is at
    // fault, not the server.
    if (pgKind === "data") return jsonError(400, `bad parameter: ${errorLine(err)}`, { code: "invalid_value" });
    log.error({ err, method: request.method, path: new URL(request.url).pathname }, "request failed");
    if (pgKind === "unavailable") return jsonError(503, "the database is unavailable: retry later", { code: "database_unavailable" });
    return jsonError(500, "internal error: see the server log", { code: "internal" });
  }
}
