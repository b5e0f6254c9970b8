// Hostile and broken callbacks against the production build: 1,000 mutations of the provider's
// example, and the poison pills of issue 24, are each answered 200 or 4xx, never 5xx; every one is
// in the deliveries log; and the server is healthy afterwards.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "./support/db";
import { startAppServer, type AppServer } from "./support/app-server";
import { health } from "./durability-helpers";
import { PILLS } from "./support/poison";

const db = useTestDatabase();
let app: AppServer;
beforeAll(async () => {
  // Over the deepest poison pill (an object nested 50,000 deep is 300 kB).
  app = await startAppServer({ DATABASE_URL: db.url, CALLBACK_MAX_BYTES: "400000" });
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

const example = JSON.parse(readFileSync(new URL("./fixtures/provider-example-20004.json", import.meta.url), "utf8"));

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== "object") return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]))];
}
const paths = leafPaths(example).filter((p) => p.length > 0);

const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 63, -1, 1e300, 1.5, "", "0", " 42 ", null, true, [], {}, "\u0000", "x".repeat(20_000), "20004", 20004),
  fc.string({ unit: "binary", maxLength: 50 }),
);

type Mutation = { path: string[]; value?: unknown; remove: boolean };
const mutation: fc.Arbitrary<Mutation> = fc.record({ path: fc.constantFrom(...paths), value: nasty, remove: fc.boolean() });

function mutate(mutations: Mutation[]): unknown {
  const copy = structuredClone(example);
  for (const m of mutations) {
    let target = copy;
    for (const key of m.path.slice(0, -1)) {
      if (target === null || typeof target !== "object") break;
      target = target[key];
    }
    if (target === null || typeof target !== "object") continue;
    const last = m.path.at(-1)!;
    if (m.remove) delete target[last];
    // A copy: constantFrom hands out the same [] and {} each time, and two mutations writing
    // into one shared object could make it contain itself.
    else target[last] = structuredClone(m.value);
  }
  return copy;
}

const delivery = fc.oneof(
  { weight: 8, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => Buffer.from(JSON.stringify(mutate(ms)))) },
  // Truncated JSON, raw bytes, other JSON values.
  { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((n) => Buffer.from(JSON.stringify(example)).subarray(0, n)) },
  { weight: 1, arbitrary: fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? ""))) },
  // The poison pills of issue 24 (test/support/poison.ts): each is a 400, and nothing waits behind it.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PILLS), fc.nat()).map(([pill, n]) => new Uint8Array(pill.body(`fuzz-${n}`))) },
);

describe("hostile callbacks", () => {
  it("answers 1,000 mutated payloads with 200 or 4xx, records each, and stays healthy", async () => {
    let posted = 0;
    await fc.assert(
      fc.asyncProperty(delivery, async (body) => {
        const res = await fetch(`${app.url}/api/callback`, { method: "POST", body });
        posted++;
        const text = await res.text();
        expect(res.status === 200 || (res.status >= 400 && res.status < 500), `${res.status} ${text}`).toBe(true);
        if (res.status !== 200) expect(JSON.parse(text).error).toEqual(expect.any(String));
      }),
      { numRuns: 1000 },
    );
    expect(await health(app.url)).toMatchObject({ httpStatus: 200, status: "ok", spoolDepth: 0 });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM deliveries`);
    expect(rows[0].n).toBe(posted);
  }, 120_000);

  it("exposes Prometheus counters and histograms of what it received", async () => {
    await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify({ ...example, data: { ...example.data, serverId: "metrics-1" } }) });
    await fetch(`${app.url}/api/callback`, { method: "POST", body: "{" });
    const res = await fetch(`${app.url}/api/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^callbacks_total\{event="20004",outcome="stored"\} [1-9]/m);
    expect(text).toMatch(/^callbacks_total\{event="none",outcome="rejected"\} [1-9]/m);
    expect(text).toMatch(/^ingest_duration_seconds_bucket\{le="0.1"\} [1-9]/m);
    expect(text).toMatch(/^spool_depth 0$/m);
    expect(text).toMatch(/^live_stream_clients 0$/m);
    expect(text).toContain("media_cache_requests_total");
  });

  it("replays a kept delivery over HTTP, and says why it cannot when it cannot", async () => {
    expect((await fetch(`${app.url}/api/deliveries/987654321/replay`, { method: "POST", headers: { origin: app.url } })).status).toBe(404);
    await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify({ event: "20004", data: { robotId: "r" } }) });
    const rejected = await db.pool.query(`SELECT max(id)::text AS id FROM deliveries WHERE outcome = 'rejected'`);
    const res = await fetch(`${app.url}/api/deliveries/${rejected.rows[0].id}/replay`, { method: "POST", headers: { origin: app.url } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "rejected", error: expect.stringContaining("cdnData"), deliveryId: expect.any(String) });
    const stored = await db.pool.query(`SELECT max(id)::text AS id FROM deliveries WHERE outcome = 'stored'`);
    const conflict = await fetch(`${app.url}/api/deliveries/${stored.rows[0].id}/replay`, { method: "POST", headers: { origin: app.url } });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error).toMatch(/no body/);
  });
});
