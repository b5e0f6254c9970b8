// A route handler served straight from Node's HTTP server, before Next routes the request.
//
// For the provider's callback, Next's own work per request (routing, its request and response
// wrappers, its async context) cost more than the callback itself: the same build answered 418
// callbacks/s through Next and 1,444 from here, p99 292 ms against 107 ms (docs/performance.md,
// "The callback before Next"). The handler is the route's own POST, unchanged: it still goes
// through handle() (access, error mapping, security headers). Installed by instrumentation.ts
// through installConnectionContext(), so it runs after the connection's checks and inside its
// context.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { log } from "../log";

export type WebHandler = (request: Request) => Promise<Response>;

/** Serves a request and returns true, or returns false to leave it to Next. */
export type EarlyHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Serves `method` requests for exactly `pathname` (any query) with `handler`; leaves the rest to Next. */
export function nodeRoute(method: string, pathname: string, handler: WebHandler): EarlyHandler {
  return (request, response) => {
    const target = request.url ?? "/";
    const path = target.split("?", 1)[0];
    if (request.method !== method || path !== pathname) return false;
    new Promise<Response>((resolve) => resolve(handler(toWebRequest(request, target))))
      .then((answer) => writeWebResponse(answer, response))
      .catch((err: unknown) => {
        log.error({ err, method, path }, "request failed");
        if (response.headersSent) response.destroy();
        else response.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "internal error: see the server log", code: "internal" }));
      });
    return true;
  };
}

/** The Web Request a route handler takes, its body streamed from the connection. */
export function toWebRequest(request: IncomingMessage, target: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else headers.set(name, value);
  }
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(new URL(target, origin(request.headers.host)), {
    method: request.method,
    headers,
    body: hasBody ? (Readable.toWeb(request) as ReadableStream<Uint8Array>) : null,
    // Node's fetch needs this for a streamed request body.
    duplex: "half",
  } as RequestInit);
}

/** `http://<Host>`, or `http://localhost` when the Host header is missing or not a host. */
function origin(host: string | undefined): string {
  if (host) {
    try {
      return new URL(`http://${host}`).origin;
    } catch {
      // Answered all the same: the handler reads the path and query, never the host.
    }
  }
  return "http://localhost";
}

/** Writes a route handler's answer; the body is read whole (route answers here are small JSON). */
export async function writeWebResponse(answer: Response, response: ServerResponse): Promise<void> {
  const body = answer.body ? Buffer.from(await answer.arrayBuffer()) : null;
  const headers: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (body) headers["content-length"] = String(body.length);
  response.writeHead(answer.status, headers).end(body);
}
