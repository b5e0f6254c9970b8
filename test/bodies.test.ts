// Request bodies against the real `next start`: a route's limit is enforced from Content-Length
// before a byte is read, an unauthenticated body is never buffered, and uploads stream to disk
// whole (40 MiB, md5-checked, served back byte for byte) or not at all; and an oversize callback
// trickled in with no Content-Length is still answered 413 whole.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenerPid, residentBytes, startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";
import { useAppServer } from "./support/use-app-server";

const MiB = 1024 * 1024;
const fixture = () => JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/provider-example-20004.json"), "utf8"));

/** Sends the headers (and `sent` bytes of the body) and waits for the answer without sending the rest. */
function answerBeforeBody(url: string, method: string, headers: Record<string, string>, sent = Buffer.alloc(0)): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, ms: performance.now() - started });
      req.destroy();
    });
    req.on("error", (err) => (err.message.includes("socket hang up") ? undefined : reject(err)));
    req.write(sent);
    req.flushHeaders();
  });
}

describe("bodies, with DASHBOARD_PASSWORD (real next start)", () => {
  const db = useTestDatabase();
  let app: AppServer;
  beforeAll(async () => {
    app = await startAppServer({ DATABASE_URL: db.url, DASHBOARD_PASSWORD: "bodies-password", API_TOKEN: "bodies-token" });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("answers 413 to a Content-Length over the route's limit without waiting for the body", async () => {
    const login = await answerBeforeBody(`${app.url}/api/login`, "POST", { "content-type": "application/json", "content-length": String(64 * MiB), origin: app.url });
    expect(login.status).toBe(413);
    const upload = await answerBeforeBody(`${app.url}/api/media/1/video`, "PUT", { authorization: "Bearer bodies-token", "content-length": String(300 * MiB) });
    expect(upload.status).toBe(413);
  });

  it("refuses an unauthenticated non-GET before reading its body", async () => {
    for (const [method, path] of [["POST", "/api/deliveries/1/replay"], ["PUT", "/api/media/1/video"]]) {
      const res = await answerBeforeBody(`${app.url}${path}`, method, { "content-length": String(9 * MiB), "content-type": "application/json" }, Buffer.alloc(1024));
      expect(res.status, path).toBe(401);
    }
  });

  it("keeps its memory under 24 parallel 9 MB unauthenticated posts (printed)", async () => {
    const pid = listenerPid(app.port);
    // Warm the routes up: the first request to each loads its code.
    for (let i = 0; i < 3; i++) await fetch(`${app.url}/api/deliveries/1/replay`, { method: "POST", body: "{}" });
    const idle = residentBytes(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 5);
    const body = randomBytes(9 * 1000 * 1000);
    const statuses = await Promise.all(
      Array.from({ length: 24 }, () => fetch(`${app.url}/api/deliveries/1/replay`, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.status, (e: Error) => e.message)),
    );
    await new Promise((r) => setTimeout(r, 200));
    clearInterval(sampler);
    peak = Math.max(peak, residentBytes(pid));
    console.log(`server RSS: idle ${(idle / MiB).toFixed(1)} MiB, peak under 24 x 9 MB unauthenticated posts ${(peak / MiB).toFixed(1)} MiB (+${((peak - idle) / MiB).toFixed(1)} MiB)`);
    expect(statuses.filter((s) => s !== 401 && !/fetch failed|closed|reset/i.test(String(s)))).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
    expect(peak - idle).toBeLessThan(30 * MiB);
  }, 60_000);
});

describe("uploads stream to disk (real next start, no password: loopback)", () => {
  const db = useTestDatabase();
  const app = useAppServer(() => ({ DATABASE_URL: db.url }));

  async function videoFor(file: Buffer): Promise<string> {
    const envelope = fixture();
    const md5 = createHash("md5").update(file).digest("hex");
    envelope.data = { ...envelope.data, serverId: md5, cdnData: { ...envelope.data.cdnData, md5, size: file.length, preview_img_size: file.length, url: "https://cdn.invalid/x", preview_img_url: "https://cdn.invalid/p" } };
    expect((await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(envelope) })).status).toBe(200);
    const list = await (await fetch(`${app.url}/api/videos?limit=1`)).json();
    return String(list.items[0].id);
  }

  it("accepts a 40 MiB video with its md5 and serves it back byte for byte", async () => {
    const clip = readFileSync(join(process.cwd(), "scripts/demo/media/clip-a.mp4"));
    const file = Buffer.concat([clip, randomBytes(40 * MiB - clip.length)]);
    const id = await videoFor(file);
    const put = await fetch(`${app.url}/api/media/${id}/video`, { method: "PUT", headers: { origin: app.url }, body: file });
    expect(put.status, await put.clone().text()).toBe(201);
    expect(await put.json()).toMatchObject({ bytes: file.length, contentType: "video/mp4" });
    const served = Buffer.from(await (await fetch(`${app.url}/api/media/${id}/video`)).arrayBuffer());
    expect(served.length).toBe(file.length);
    expect(createHash("md5").update(served).digest("hex")).toBe(createHash("md5").update(file).digest("hex"));
  }, 120_000);

  it("never stores an upload cut short", async () => {
    const preview = readFileSync(join(process.cwd(), "scripts/demo/media/preview-a.jpg"));
    const file = Buffer.concat([preview, randomBytes(12 * MiB)]);
    const id = await videoFor(file);
    // Announces 12 MiB and more, sends 5 MiB, then the connection drops.
    await new Promise<void>((resolve) => {
      const req = http.request(`${app.url}/api/media/${id}/preview`, { method: "PUT", headers: { origin: app.url, "content-length": String(file.length) } });
      req.on("error", () => resolve());
      req.on("response", (res) => {
        res.resume();
        resolve();
      });
      req.write(file.subarray(0, 5 * MiB), () => setTimeout(() => req.destroy(), 300));
    });
    const res = await fetch(`${app.url}/api/media/${id}/preview`);
    // Not the partial upload: the preview is fetched from its link (here unreachable) instead.
    expect(res.status).not.toBe(200);
    // The whole file, sent properly, is stored.
    const whole = await fetch(`${app.url}/api/media/${id}/preview`, { method: "PUT", headers: { origin: app.url }, body: file });
    expect(whole.status, await whole.clone().text()).toBe(201);
    expect((await (await fetch(`${app.url}/api/media/${id}/preview`)).arrayBuffer()).byteLength).toBe(file.length);
  }, 120_000);
});

describe("the callback's size limit, with the callback answered before Next (real next start)", () => {
  const db = useTestDatabase();
  const app = useAppServer(() => ({ DATABASE_URL: db.url, CALLBACK_MAX_BYTES: String(64 * 1024) }));

  it("answers 413, whole, to an oversize body trickled in chunks with no Content-Length, and records its first bytes", async () => {
    const chunk = Buffer.from(`{"event":"20004","pad":"${"x".repeat(16 * 1024)}`);
    const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = http.request(`${app.url}/api/callback`, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        clearInterval(timer);
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (part: string) => (body += part));
        res.on("end", () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
        res.on("error", reject);
      });
      req.on("error", (err) => (err.message.includes("EPIPE") || err.message.includes("ECONNRESET") ? undefined : reject(err)));
      // 16 KiB every 5 ms, up to 1 MiB: the limit is crossed while the client is still sending.
      let sent = 0;
      const timer: NodeJS.Timeout = setInterval(() => {
        if (sent >= 1024 * 1024 || req.destroyed) return clearInterval(timer);
        req.write(chunk);
        sent += chunk.length;
      }, 5);
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: "too_large", error: expect.stringContaining("CALLBACK_MAX_BYTES") });
    expect(answer.connection).toBe("close");
    const { rows } = await db.pool.query(`SELECT "httpStatus", outcome::text, left(body, 20) AS head FROM deliveries ORDER BY id DESC LIMIT 1`);
    expect(rows[0]).toEqual({ httpStatus: 413, outcome: "rejected", head: '{"event":"20004","pa' });
    // The server goes on: the next callback, on a new connection, is stored.
    expect((await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(fixture()) })).status).toBe(200);
  });
});
