// The callback's HTTP edge, called as Next calls it: statuses, one-line errors, the token, the
// size limit, and that every refused body still reaches the deliveries log.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "./support/db";

const db = useTestDatabase();
const example = readFileSync(new URL("./fixtures/provider-example-20004.json", import.meta.url), "utf8");
let POST: (request: Request) => Promise<Response>;
// A spool of its own, never the repository's .data (the one `npm start` uses).
const dataDir = mkdtempSync(join(tmpdir(), "callback-route-"));

beforeAll(async () => {
  process.env.DATABASE_URL = db.url;
  process.env.DATA_DIR = dataDir;
  process.env.CALLBACK_TOKEN = "s3cret-token";
  process.env.CALLBACK_MAX_BYTES = "4096";
  process.env.LOG_LEVEL = "silent";
  ({ POST } = await import("../app/api/callback/route"));
});

afterAll(async () => {
  const { pool } = await import("../lib/db/client");
  await pool().end();
  const { runningIngestor } = await import("../lib/ingest/ingestor");
  await (await runningIngestor())?.close(0);
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (body: BodyInit, { query = "?token=s3cret-token", headers = {} as Record<string, string> } = {}) =>
  POST(new Request(`http://localhost/api/callback${query}`, { method: "POST", body, headers }));

async function lastDelivery() {
  const { rows } = await db.pool.query(`SELECT outcome::text, "httpStatus", error, body FROM deliveries ORDER BY id DESC LIMIT 1`);
  return rows[0];
}

describe("POST /api/callback", () => {
  it("answers 200 {} for the provider's example, whatever the Content-Type says", async () => {
    const res = await post(example, { headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await lastDelivery()).toMatchObject({ outcome: "stored", httpStatus: 200 });
  });

  it("accepts the token in the X-Callback-Token header too", async () => {
    const res = await post(example, { query: "", headers: { "x-callback-token": "s3cret-token" } });
    expect(res.status).toBe(200);
    expect(await lastDelivery()).toMatchObject({ outcome: "duplicate" });
  });

  it.each([
    ["no token", ""],
    ["a wrong token", "?token=wrong"],
    ["a token that is a prefix", "?token=s3cret"],
  ])("answers 401 with %s, and stores nothing", async (_, query) => {
    const before = await db.pool.query("SELECT count(*)::int AS n FROM deliveries");
    const res = await post(example, { query });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/token/);
    const after = await db.pool.query("SELECT count(*)::int AS n FROM deliveries");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it.each([
    ["an empty body", "", /empty body/],
    ["a body that is not JSON", "<xml/>", /not JSON/],
    ["a JSON array", "[]", /not a JSON object/],
    ["a 20004 without its url", JSON.stringify({ ...JSON.parse(example), data: { ...JSON.parse(example).data, cdnData: {} } }), /data\.cdnData\.url: required/],
  ])("answers 400 for %s, and keeps it in the deliveries log", async (_, body, reason) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const answer = await res.json();
    expect(answer.error).toMatch(reason);
    expect(answer.error).not.toContain("\n");
    expect(Array.isArray(answer.issues)).toBe(true);
    expect(await lastDelivery()).toMatchObject({ outcome: "rejected", httpStatus: 400, body });
  });

  it("names every bad path of an invalid 20004", async () => {
    const payload = JSON.parse(example);
    delete payload.data.cdnData.url;
    payload.data.duration = "long";
    const answer = await (await post(JSON.stringify(payload))).json();
    expect(answer.issues).toEqual([
      { path: "data.cdnData.url", message: "required" },
      { path: "data.duration", message: "expected an integer" },
    ]);
  });

  it("keeps other event codes as received", async () => {
    const body = JSON.stringify({ event: "20015", description: "recall", time: 1726826627676, data: { msgId: 1 } });
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(await lastDelivery()).toMatchObject({ outcome: "other_event", httpStatus: 200, body });
  });

  it("answers 413 for a body over CALLBACK_MAX_BYTES and logs its first bytes", async () => {
    const res = await post("x".repeat(10_000));
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/CALLBACK_MAX_BYTES/);
    const row = await lastDelivery();
    expect(row).toMatchObject({ outcome: "rejected", httpStatus: 413 });
    expect(row.body.length).toBeGreaterThan(0);
    expect(row.body.length).toBeLessThanOrEqual(4096);
  });
});
