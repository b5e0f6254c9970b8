// The edges' shared vocabulary: JSON errors with a one-line reason, and the mapping of
// domain errors to statuses, so each route handler stays a few lines long.
import { pgErrorKind } from "../db/errors";
import { ParamError } from "../params";
import { log } from "../log";

export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, init);
}

export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error, ...extra }, { status });
}

/** Runs a handler; bad parameters become 400 with their issues, anything unexpected a logged 500. */
export async function handle(request: Request, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ParamError) return jsonError(400, err.message, { issues: err.issues });
    // A value the database refused (a date beyond its range, a key too long): the input is at
    // fault, not the server.
    if (pgErrorKind(err) === "data") return jsonError(400, `bad parameter: ${(err as Error).message.split("\n")[0]}`);
    log.error({ err, method: request.method, path: new URL(request.url).pathname }, "request failed");
    return jsonError(500, "internal error: see the server log");
  }
}
