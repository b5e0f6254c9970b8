// Closed-loop load: `connections` keep-alive connections, each sending its next request as soon
// as the previous answer arrived, for `seconds`. What a saturated server can do, and how fast.
import http from "node:http";
import { summarise, type LatencySummary } from "./stats";

/** `headers`: sent with every request besides Content-Type and Content-Length. */
export type LoadTarget = { url: string; body: (seq: number) => string; headers?: Record<string, string> };

export type LoadResult = LatencySummary & {
  requests: number;
  /** Answers with status 200. */
  ok: number;
  /** Non-200 answers and network errors. */
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  throughput: number;
  /** Every request's latency (ms), for combining runs. */
  latencies: number[];
};

/**
 * A keep-alive agent that stops reusing an idle socket before the server closes it. A Node server
 * (next start's too) closes a connection idle for its keepAliveTimeout (5 s, plus a 1 s grace) and
 * says so in `Keep-Alive: timeout=5`; Node's agent reads that header only when it has a `timeout`
 * of its own (it then drops an idle socket a second before the announced timeout). Without one it
 * keeps idle sockets forever, and a request written just as the server closes the socket fails with
 * ECONNRESET: a load generator error, not the server's (reproduced with a bare Node server: 211 of
 * 400 requests sent 6 s after the previous one on the same socket; none with this agent).
 */
export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, timeout: 60_000 });
}

/** Adds one answer (its status, or "error: <code>") to the counts by kind. */
export function countKind(kinds: Record<string, number>, kind: string): void {
  kinds[kind] = (kinds[kind] ?? 0) + 1;
}

/** The non-200 kinds, for printing: `{"error: ECONNRESET":1,"503":2}`, or "" when there are none. */
export function errorKinds(kinds: Record<string, number>): string {
  const errors = Object.entries(kinds).filter(([kind]) => kind !== "200");
  return errors.length ? JSON.stringify(Object.fromEntries(errors)) : "";
}

/**
 * Runs load against one or more targets (connections are dealt round-robin over them, as a
 * load balancer would). `nextSeq` gives every request its own sequence number.
 */
export async function closedLoop(targets: LoadTarget[], connections: number, seconds: number, nextSeq: () => number): Promise<LoadResult> {
  const agents = targets.map(() => keepAliveAgent(connections));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loops = Array.from({ length: connections }, async (_, c) => {
    const target = targets[c % targets.length];
    const agent = agents[c % targets.length];
    while (performance.now() < deadline) {
      const body = target.body(nextSeq());
      const t0 = performance.now();
      const status = await post(target.url, body, agent, target.headers);
      latencies.push(performance.now() - t0);
      countKind(statuses, status);
      if (status === "200") ok++;
      else errors++;
    }
  });
  await Promise.all(loops);
  const elapsed = (performance.now() - started) / 1000;
  for (const agent of agents) agent.destroy();
  return { ...summarise(latencies), requests: latencies.length, ok, errors, statuses, seconds: elapsed, throughput: ok / elapsed, latencies };
}

/**
 * Loads several servers by turns, `rounds` times `seconds` each, and returns one result per
 * server over all its turns. On a machine shared with other work, a burst of that work then
 * falls on all of them alike instead of on whichever was being measured: ratios between them
 * hold where back-to-back runs of 15 s each were seen to differ fivefold.
 */
export async function byTurns(targets: LoadTarget[], connections: number, rounds: number, seconds: number, nextSeq: () => number): Promise<LoadResult[]> {
  const turns: LoadResult[][] = targets.map(() => []);
  // Each round starts with the next target: going first or last in a round is not one target's
  // lot (a build measured against itself saw 0.78 and 1.27 from its slot alone, 2026-11-29).
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (r + k) % targets.length;
      turns[i].push(await closedLoop([targets[i]], connections, seconds, nextSeq));
    }
  }
  return turns.map(combined);
}

function combined(results: LoadResult[]): LoadResult {
  const latencies = results.flatMap((r) => r.latencies);
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + n;
  const sum = (f: (r: LoadResult) => number) => results.reduce((t, r) => t + f(r), 0);
  const seconds = sum((r) => r.seconds);
  return { ...summarise(latencies), requests: latencies.length, ok: sum((r) => r.ok), errors: sum((r) => r.errors), statuses, seconds, throughput: sum((r) => r.ok) / seconds, latencies };
}

/** One POST; resolves with the status code as text, or "error: <code>" when no answer came. */
export function post(url: string, body: string, agent: http.Agent, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(String(res.statusCode)));
      res.on("error", (err) => resolve(`error: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    req.on("error", (err) => resolve(`error: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    req.end(body);
  });
}

/** A GET; resolves with the status, the client-side latency (ms) and the headers. */
export function get(url: string, agent: http.Agent): Promise<{ status: number; ms: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, headers: res.headers }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}
