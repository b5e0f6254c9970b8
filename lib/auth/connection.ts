// The TCP connection a request came on, for the code that serves it.
//
// Next gives route handlers and layouts no socket, and every header is the client's to write:
// X-Forwarded-For reaches them untouched whenever the proxy is skipped (a request carrying the
// build's preview id in `x-prerender-revalidate` is never shown to the proxy). So the server's
// 'request' event runs in an AsyncLocalStorage context that holds the socket's address and the
// raw request path, set before Next sees the request; everything Next then does for that request
// (proxy, route handler, layouts) runs inside it. installConnectionContext() is called from
// instrumentation.ts, which Next runs before it answers its first request.
//
// A path Next cannot decode is answered 400 here (Next would answer a bare 500). It also removes,
// from what clients send, the headers by which Next skips the proxy: the
// preview id's `x-prerender-revalidate` (this app revalidates nothing on demand) and
// `x-middleware-subrequest`. The route wrapper and the layout check access again anyway; but a
// layout's check cannot keep a page's own output out of the answer (Next renders a page's
// segment beside its layout, not inside it), so pages rely on the proxy running.
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { pathProblem } from "./request-hygiene";

export type Connection = {
  /** The socket's peer address, as Node reports it (`::ffff:127.0.0.1` on a dual-stack socket). */
  remoteAddress: string | undefined;
  /** The request target as it arrived (path and query), before any rewriting by Next. */
  target: string;
};

// On globalThis: instrumentation, the proxy and each route are bundled separately, one process.
const holder = globalThis as unknown as {
  __videoDashboardConnection?: AsyncLocalStorage<Connection>;
  __videoDashboardConnectionInstalled?: boolean;
  __videoDashboardServers?: { servers: Set<http.Server>; answering: Set<http.ServerResponse>; draining: boolean };
};
const storage = (holder.__videoDashboardConnection ??= new AsyncLocalStorage<Connection>());
// The servers that took a connection, the answers not yet finished, and whether the process is
// shutting down (see drainConnections).
const serving = (holder.__videoDashboardServers ??= { servers: new Set(), answering: new Set(), draining: false });

const PROXY_SKIPPING_HEADERS = ["x-prerender-revalidate", "x-prerender-revalidate-if-generated", "x-middleware-subrequest"];

/**
 * Patches every HTTP server of the process (Next's) so that each request runs in its connection's
 * context. `serveEarly` may answer a request itself, in that context and after the checks above,
 * before Next routes it (lib/http/node-route.ts): it returns false for the requests Next serves.
 */
export function installConnectionContext(serveEarly?: (request: http.IncomingMessage, response: http.ServerResponse) => boolean): void {
  if (holder.__videoDashboardConnectionInstalled) return;
  holder.__videoDashboardConnectionInstalled = true;
  const prototype = http.Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const emit = prototype.emit;
  prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "connection") serving.servers.add(this);
    if (event !== "request") return emit.call(this, event, ...args);
    const request = args[0] as http.IncomingMessage;
    const response = args[1] as http.ServerResponse;
    // Shutting down: answered, and then the connection is closed instead of kept alive.
    if (serving.draining) response.setHeader("connection", "close");
    else {
      serving.answering.add(response);
      response.once("close", () => serving.answering.delete(response));
    }
    const problem = pathProblem(request.url ?? "/");
    if (problem) {
      response.writeHead(400, { "content-type": "application/json", "x-content-type-options": "nosniff" }).end(JSON.stringify({ error: problem, code: "bad_url" }));
      return true;
    }
    for (const name of PROXY_SKIPPING_HEADERS) delete request.headers[name];
    return storage.run({ remoteAddress: request.socket?.remoteAddress, target: request.url ?? "/" }, () => serveEarly?.(request, response) || emit.call(this, event, ...args));
  };
}

/** The connection of the request being served, or undefined outside one (or before install). */
export function currentConnection(): Connection | undefined {
  return storage.getStore();
}

/** 127.0.0.0/8, ::1, and 127.x written as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  return a === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(a);
}

/**
 * The process is shutting down: idle keep-alive connections are closed now, and every answer not
 * yet begun (of a request in flight, or still to come on an open connection) says
 * `Connection: close` and closes its connection, so clients move to another instance as soon as
 * their request in flight is answered.
 */
function drainConnections(): void {
  serving.draining = true;
  for (const server of serving.servers) server.closeIdleConnections();
  // Answers in flight whose headers are still to be written close their connection too.
  for (const response of serving.answering) if (!response.headersSent) response.setHeader("connection", "close");
  serving.answering.clear();
}

/**
 * Stops the servers: no new connections, idle ones closed now, answers from now on closing theirs
 * (drainConnections); settles once every server has closed, that is once its last connection ended.
 */
export function closeServers(): Promise<void> {
  drainConnections();
  return Promise.all([...serving.servers].map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => {});
}

/**
 * Closes every connection still open: a client that sent half a request and stalled, a live
 * stream, a long export. A server that is closing waits for each of them otherwise, and Node stops
 * enforcing its header and request timeouts once it closes, so a stalled client would hold the
 * process forever.
 */
export function closeAllConnections(): void {
  for (const server of serving.servers) server.closeAllConnections();
}
