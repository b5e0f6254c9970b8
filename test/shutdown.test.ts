// SIGTERM does not wait on a stalled client: a real server process, real sockets. Clients that
// sent half a request (half its headers, or its headers and half its body) and a live stream
// that never ends are still open when SIGTERM comes; the process must exit by itself within
// 10 s. The control: a request in flight at SIGTERM whose client finishes sending it during the
// grace period is answered (200, stored) and told to close its connection.
import { execFileSync } from "node:child_process";
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";
import { exampleVideo } from "./support/example-video";

/** A raw TCP client: what it received, and whether the server closed the connection. */
function rawClient(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  const state = { received: "", closed: false };
  socket.on("data", (d) => (state.received += d.toString("latin1")));
  socket.on("close", () => (state.closed = true));
  socket.on("error", () => {});
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, state, connected };
}

/** The server side's unread bytes on the connection from `clientPort` (0 once the server read all it was sent). */
function serverUnread(port: number, clientPort: number): number | null {
  const out = execFileSync("ss", ["-Htn", "state", "established", `( sport = :${port} and dport = :${clientPort} )`], { encoding: "utf8" }).trim();
  if (!out) return null;
  return Number(out.split(/\s+/)[0]);
}

async function waitFor(what: string, test: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("shutdown with stalled clients", () => {
  const db = useTestDatabase();
  let app: AppServer | undefined;
  afterAll(async () => {
    await app?.stop();
  });

  it("exits within 10 s of SIGTERM with half-sent requests and a live stream open, after answering a request finished in the grace period", async () => {
    app = await startAppServer({ DATABASE_URL: db.url, LOG_LEVEL: "info" });
    const { port } = app;
    const video = exampleVideo();
    const body = Buffer.from(JSON.stringify(video));
    const half = Math.floor(body.length / 2);
    const head = `POST /api/callback HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;

    // Stalled: half of its headers, never the rest.
    const halfHeaders = rawClient(port);
    // Stalled: its headers and half of its body, never the rest.
    const halfBody = rawClient(port);
    // The control: half its body now, the rest once the server is shutting down.
    const finishing = rawClient(port);
    // A live stream: never ends by itself.
    const stream = rawClient(port);
    await Promise.all([halfHeaders.connected, halfBody.connected, finishing.connected, stream.connected]);
    halfHeaders.socket.write(head.slice(0, 40));
    halfBody.socket.write(Buffer.concat([Buffer.from(head), body.subarray(0, half)]));
    finishing.socket.write(Buffer.concat([Buffer.from(head), body.subarray(0, half)]));
    stream.socket.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    await waitFor("the stream's ready event", () => stream.state.received.includes("event: ready"), 30_000);
    // The server has read every byte sent so far (so it is parsing these requests, not about to).
    for (const c of [halfHeaders, halfBody, finishing]) await waitFor("the server reading the half request", () => serverUnread(port, c.socket.localPort!) === 0, 10_000);

    const signalled = Date.now();
    const stopping = app.stop({ graceMs: 30_000 });
    await waitFor("the app's shutdown log line", () => app!.output().includes("shutting down"), 10_000);
    finishing.socket.write(body.subarray(half));
    await waitFor("the finished request's answer", () => finishing.state.received.includes("\r\n\r\n{}"), 10_000);
    const exit = await stopping;
    const tookMs = Date.now() - signalled;
    console.log(`exited ${tookMs} ms after SIGTERM: ${JSON.stringify(exit)}`);

    expect(exit).toMatchObject({ killed: false, code: 143 });
    expect(tookMs).toBeLessThan(10_000);
    // The request finished during the grace period was answered, and told not to reuse the connection.
    expect(finishing.state.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(finishing.state.received.toLowerCase()).toContain("connection: close");
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM video_events WHERE "serverId" = $1`, [video.data.serverId]);
    expect(rows[0].n).toBe(1);
    // The stalled ones were closed by the server, unanswered.
    for (const c of [halfHeaders, halfBody, stream]) await waitFor("the server closing a stalled connection", () => c.state.closed, 5_000);
    expect(halfHeaders.state.received).toBe("");
    expect(halfBody.state.received).toBe("");
    for (const c of [halfHeaders, halfBody, finishing, stream]) c.socket.destroy();
  }, 120_000);
});
