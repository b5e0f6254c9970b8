// A route handler served from Node's HTTP server before Next: what reaches the handler, what the
// client gets back, and that everything else is left to Next.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { nodeRoute, type WebHandler } from "./node-route";

let handler: WebHandler;
let server: http.Server;
let base: string;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  const early = nodeRoute("POST", "/api/hook", (request) => handler(request));
  server = http.createServer((request, response) => {
    if (!early(request, response)) response.writeHead(299, { "x-served-by": "next" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
});

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; reusedSocket: boolean };

function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, agent, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, reusedSocket: req.reusedSocket }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("the handler gets the method, the path with its query, the headers and the streamed body; its answer reaches the client whole", async () => {
  let seen: { method: string; url: URL; token: string | null; type: string | null; body: string } | undefined;
  handler = async (request) => {
    seen = { method: request.method, url: new URL(request.url), token: request.headers.get("x-callback-token"), type: request.headers.get("content-type"), body: await request.text() };
    const answer = Response.json({ received: seen.body.length }, { status: 201, headers: { "x-content-type-options": "nosniff" } });
    answer.headers.append("set-cookie", "a=1; Path=/");
    answer.headers.append("set-cookie", "b=2; Path=/");
    return answer;
  };
  const body = JSON.stringify({ type: 20004, data: "视频".repeat(50_000) });
  const answer = await send("POST", "/api/hook?token=t%20k&x=1", body, { "content-type": "application/json", "x-callback-token": "abc" });
  expect(seen).toEqual({ method: "POST", url: expect.any(URL), token: "abc", type: "application/json", body });
  expect(seen?.url.pathname).toBe("/api/hook");
  expect(seen?.url.searchParams.get("token")).toBe("t k");
  expect(answer.status).toBe(201);
  expect(JSON.parse(answer.body)).toEqual({ received: body.length });
  expect(answer.headers["content-length"]).toBe(String(Buffer.byteLength(answer.body)));
  expect(answer.headers["x-content-type-options"]).toBe("nosniff");
  expect(answer.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
});

test("any other method or path is left to Next: a trailing slash, a longer name, a GET", async () => {
  handler = () => Promise.reject(new Error("must not be called"));
  for (const [method, path] of [["POST", "/api/hook/"], ["POST", "/api/hooks"], ["POST", "/api"], ["GET", "/api/hook"], ["PUT", "/api/hook"]]) {
    const answer = await send(method, path, method === "GET" ? undefined : "{}");
    expect({ method, path, status: answer.status, servedBy: answer.headers["x-served-by"] }).toEqual({ method, path, status: 299, servedBy: "next" });
  }
});

test("a handler that fails answers 500 with a code and no detail, and the server goes on", async () => {
  handler = () => Promise.reject(new Error("secret internals"));
  const failed = await send("POST", "/api/hook", "{}");
  expect(failed.status).toBe(500);
  expect(JSON.parse(failed.body)).toEqual({ error: "internal error: see the server log", code: "internal" });
  handler = () => Promise.resolve(Response.json({}));
  expect((await send("POST", "/api/hook", "{}")).status).toBe(200);
});

test("an answer given without reading the body keeps the connection usable for the next request", async () => {
  handler = () => Promise.resolve(Response.json({ error: "bad token", code: "unauthorized" }, { status: 401 }));
  expect((await send("POST", "/api/hook", "x".repeat(10_000))).status).toBe(401);
  handler = async (request) => Response.json({ body: await request.text() });
  const next = await send("POST", "/api/hook", "second");
  expect(next.reusedSocket).toBe(true);
  expect(JSON.parse(next.body)).toEqual({ body: "second" });
});

test("an empty answer (204) has no body, and a missing or malformed Host is served all the same", async () => {
  handler = (request) => Promise.resolve(new Response(null, { status: 204, headers: { "x-host": new URL(request.url).host } }));
  const empty = await send("POST", "/api/hook", "{}", { host: "bad host!" });
  expect(empty.status).toBe(204);
  expect(empty.body).toBe("");
  expect(empty.headers["x-host"]).toBe("localhost");
});
