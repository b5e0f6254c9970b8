// The load generator's agent must stop reusing an idle socket before the server closes it: a
// request written on a socket the server is closing fails with ECONNRESET, which the benchmarks
// would count as the app's error (the one error of a 17,999-callback relay run, before this).
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepAliveAgent, post } from "./load";

let server: http.Server;
let url: string;

beforeAll(async () => {
  // Node's default, as under next start: idle connections are closed after 5 s, announced as
  // `Keep-Alive: timeout=5` on every answer.
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The idle timeout the agent gave the socket it kept after one request. */
async function idleTimeoutAfterOneRequest(agent: http.Agent): Promise<number | undefined> {
  try {
    expect(await post(url, "x", agent)).toBe("200");
    const free = Object.values(agent.freeSockets).flat();
    expect(free).toHaveLength(1);
    return free[0]?.timeout;
  } finally {
    agent.destroy();
  }
}

describe("keepAliveAgent", () => {
  it("drops an idle socket before the server's announced keep-alive timeout", async () => {
    expect(server.keepAliveTimeout).toBe(5000);
    const timeout = await idleTimeoutAfterOneRequest(keepAliveAgent(4));
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThan(server.keepAliveTimeout);
  });

  it("(why it exists) a plain keep-alive agent ignores the announcement and keeps idle sockets forever", async () => {
    expect(await idleTimeoutAfterOneRequest(new http.Agent({ keepAlive: true, maxSockets: 4 }))).toBe(0);
  });
});
