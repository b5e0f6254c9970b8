// Promises that only hold if the real server keeps them when something goes away: a live
// client that disconnects and comes back, an export whose PostgreSQL backend is killed, and a
// keep-alive connection that a client leaves idle for a while.
// Both go through the production build (`next build` first) on a database of their own.
import http from "node:http";
import { describe, expect, it, vi } from "vitest";
import { KEEP_ALIVE_TIMEOUT_MS } from "../lib/shared/server-process";
import { fillVideos } from "./support/export-readers";
import { exampleVideo } from "./support/example-video";
import { useTestDatabase } from "./support/db";
import { useAppServer } from "./support/use-app-server";

const db = useTestDatabase();
const app = useAppServer(() => ({ DATABASE_URL: db.url }));

type SseEvent = { event: string; id: string; data: string };

/** A GET /api/stream client that keeps every event, and the last id the server gave. */
function openStream(lastEventId?: string) {
  const events: SseEvent[] = [];
  let lastId = lastEventId ?? "";
  const req = http.get(`${app.url}/api/stream`, { headers: { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) } });
  const opened = new Promise<void>((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res) => {
      expect(res.statusCode).toBe(200);
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const fields = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          const field = (name: string) => fields.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trimStart();
          const id = field("id");
          if (id !== undefined) lastId = id;
          const event = field("event");
          if (event) events.push({ event, id: id ?? "", data: field("data") ?? "" });
        }
      });
      res.on("error", () => {});
      resolve();
    });
  });
  const videos = () => events.filter((e) => e.event === "video").map((e) => JSON.parse(e.data) as { serverId: string });
  return { opened, events, videos, lastId: () => lastId, close: () => req.destroy() };
}

const post = async (data: Record<string, unknown>) => {
  const res = await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(exampleVideo(data)) });
  expect(res.status).toBe(200);
};

describe("live catch-up after a disconnect", () => {
  it("delivers on reconnect every video stored while the client was away, none missed, none twice", async () => {
    const tag = `away${Date.now().toString(36)}`;
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}-${prefix}-${i}`);
    const first = openStream();
    await first.opened;
    await vi.waitFor(() => expect(first.events.some((e) => e.event === "ready")).toBe(true), { timeout: 15_000 });
    const before = ids("before", 3);
    for (const serverId of before) await post({ serverId });
    await vi.waitFor(() => expect(first.videos().map((v) => v.serverId)).toEqual(before), { timeout: 15_000 });
    first.close();

    // Away: twenty videos, stored concurrently.
    const away = ids("away", 20);
    await Promise.all(away.map((serverId) => post({ serverId })));

    // Back, with the id the browser would send; more videos arrive while it reconnects.
    const second = openStream(first.lastId());
    const during = ids("during", 10);
    await Promise.all([second.opened, ...during.map((serverId) => post({ serverId }))]);
    await vi.waitFor(() => expect(second.videos().length).toBeGreaterThanOrEqual(away.length + during.length), { timeout: 15_000 });
    // Anything sent twice would come before this marker, which is stored last.
    const marker = `${tag}-marker`;
    await post({ serverId: marker });
    await vi.waitFor(() => expect(second.videos().map((v) => v.serverId)).toContain(marker), { timeout: 15_000 });
    second.close();

    const received = second.videos().map((v) => v.serverId);
    expect(received.filter((s) => before.includes(s))).toEqual([]);
    expect([...received].sort()).toEqual([...away, ...during, marker].sort());
  });

  it("catches up a client that had seen no video yet, from the stream's 'ready' event", async () => {
    const tag = `fresh${Date.now().toString(36)}`;
    const first = openStream();
    await first.opened;
    await vi.waitFor(() => expect(first.events.some((e) => e.event === "ready")).toBe(true), { timeout: 15_000 });
    first.close();
    const away = Array.from({ length: 5 }, (_, i) => `${tag}-${i}`);
    for (const serverId of away) await post({ serverId });
    const second = openStream(first.lastId());
    await second.opened;
    await vi.waitFor(() => expect(second.videos().map((v) => v.serverId)).toEqual(away), { timeout: 15_000 });
    second.close();
  });
});

describe("an export whose PostgreSQL backend is terminated mid-COPY", () => {
  it("breaks the transfer instead of ending it as a clean 200 file", async () => {
    await fillVideos(db.pool, 50_000);
    const outcome = await new Promise<{ status: number; bytes: number; ended: boolean; error: string | null }>((resolve, reject) => {
      const req = http.get(`${app.url}/api/export?format=csv`, (res) => {
        let bytes = 0;
        let terminated = false;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (terminated) return;
          terminated = true;
          // Hold the transfer (backpressure stops the COPY) while its backend is killed.
          res.pause();
          db.pool
            .query(`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
                    WHERE datname = current_database() AND query LIKE 'COPY (SELECT %' AND backend_type = 'client backend'`)
            .then(({ rows }) => {
              expect(rows).toEqual([{ done: true }]);
              res.resume();
            }, reject);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, ended: true, error: null }));
        res.on("error", (err) => resolve({ status: res.statusCode ?? 0, bytes, ended: false, error: err.message }));
      });
      req.on("error", reject);
    });
    expect(outcome.status).toBe(200);
    expect(outcome.ended).toBe(false);
    expect(outcome.error).toMatch(/aborted|reset|terminated|socket hang up/i);
    // The server carries on: the next export is whole.
    const whole = await fetch(`${app.url}/api/export?format=ndjson&fromWxId=wxid_7`);
    expect(whole.status).toBe(200);
    expect((await whole.text()).trim().split("\n")).toHaveLength(50);
  }, 120_000);
});

describe("a keep-alive connection left idle", () => {
  /** POSTs a callback through `agent`; the status, the Keep-Alive header and whether the socket was reused. */
  const postThrough = (agent: http.Agent, serverId: string) =>
    new Promise<{ status: number; keepAlive: string; reused: boolean }>((resolve, reject) => {
      const req = http.request(`${app.url}/api/callback`, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode!, keepAlive: String(res.headers["keep-alive"]), reused: req.reusedSocket }));
      });
      req.on("error", reject);
      req.end(JSON.stringify(exampleVideo({ serverId })));
    });

  it("still carries the next callback after 6 s (Node's default would have closed it at 5 s, racing the client's next request)", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await postThrough(agent, "idle-keep-alive-1");
      expect(first).toMatchObject({ status: 200, reused: false, keepAlive: `timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}` });
      await new Promise((r) => setTimeout(r, 6_000));
      // The same socket: the server did not close it while it sat idle.
      expect(await postThrough(agent, "idle-keep-alive-2")).toMatchObject({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM video_events WHERE "serverId" LIKE 'idle-keep-alive-%'`);
    expect(rows[0].n).toBe(2);
  }, 30_000);
});
