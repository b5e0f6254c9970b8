// Relay benchmark (issue 14, item 8), against the production build and a stand-in bot on a local
// port that answers at once:
//  1. the callback's throughput with forwarding on vs off, closed loop at 50 connections, the
//     two servers (each on its own fresh database) measured alternately in the same run;
//  2. 300 callbacks/s sustained for 60 s (open loop) with forwarding on: the backlog during the
//     load, and how long after the load stops until nothing is pending.
// `npx tsx bench/forward.ts [--quick]`, or `npm run bench -- --only forward`.
import type { Pool } from "pg";
import { createPool } from "../lib/db/client";
import { startStandInBot } from "../scripts/demo/bot";
import { closedLoop, countKind, errorKinds, keepAliveAgent, post, type LoadResult } from "./lib/load";
import { type Figure, section } from "./lib/report";
import { appServer, callbackBodies, type BenchOptions, freshDatabase } from "./lib/setup";
import { runStandalone } from "./lib/standalone";
import { summarise } from "./lib/stats";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function backlog(db: Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM forward_outbox WHERE state = 'pending'`);
  return rows[0].n;
}

/**
 * Sends `rate` requests per second for `seconds`, whatever the answers take (open loop). A server
 * that falls behind by more than MAX_IN_FLIGHT requests has them counted as not sent, and what is
 * still unanswered 30 s after the end is given up (counted as an error of its own kind): an
 * overloaded machine ends the run, not hangs it. Every answer is counted by kind (status, or the
 * network error's code), so an error says what it was.
 */
const MAX_IN_FLIGHT = 1000;
async function openLoop(url: string, body: (seq: number) => string, rate: number, seconds: number, nextSeq: () => number, onSecond: () => Promise<void>) {
  const agent = keepAliveAgent(200);
  const latencies: number[] = [];
  const kinds: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let sent = 0;
  let skipped = 0;
  let nextReport = 1000;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent + skipped < due) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      sent++;
      const t0 = performance.now();
      const p: Promise<void> = post(url, body(nextSeq()), agent).then((status) => {
        latencies.push(performance.now() - t0);
        countKind(kinds, status);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    if (performance.now() - started >= nextReport) {
      nextReport += 1000;
      void onSecond();
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const elapsed = (performance.now() - started) / 1000;
  await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 30_000))]);
  if (inFlight.size > 0) kinds["no answer 30 s after the load"] = inFlight.size;
  agent.destroy();
  const ok = kinds["200"] ?? 0;
  return { ...summarise(latencies), sent, skipped, ok, errors: sent - ok, kinds, rate: ok / elapsed };
}

export async function run(options: BenchOptions): Promise<Figure[]> {
  section("forward: the relay to a fast local bot");
  const bot = await startStandInBot();
  const seconds = options.quick ? 5 : 15;
  const rounds = options.quick ? 1 : 3;
  const sustainSeconds = options.quick ? 15 : 60;
  const offUrl = await freshDatabase("vd_bench_fwd_off");
  const onUrl = await freshDatabase("vd_bench_fwd_on");
  const off = await appServer(offUrl);
  const on = await appServer(onUrl, { FORWARD_URLS: bot.url, FORWARD_SECRET: "bench-secret" });
  const db = createPool(onUrl, 2);
  const bodies = callbackBodies(`fwd${Date.now().toString(36)}`);
  let seq = 0;
  const nextSeq = () => seq++;
  const figures: Figure[] = [];
  try {
    for (const s of [off, on]) await closedLoop([{ url: `${s.url}/api/callback`, body: bodies }], 10, options.quick ? 1 : 3, nextSeq);
    const results: { off: LoadResult[]; on: LoadResult[] } = { off: [], on: [] };
    console.log(`callback at 50 connections, ${seconds} s each, forwarding off and on alternately (${rounds} rounds):`);
    for (let round = 0; round < rounds; round++) {
      for (const [label, s] of [["off", off], ["on", on]] as const) {
        const r = await closedLoop([{ url: `${s.url}/api/callback`, body: bodies }], 50, seconds, nextSeq);
        results[label].push(r);
        console.log(`  forwarding ${label.padEnd(3)} ${Math.round(r.throughput).toString().padStart(5)} req/s  p99 ${r.p99.toFixed(1)} ms  errors ${r.errors} ${errorKinds(r.statuses)}`);
      }
    }
    await waitForEmpty(db, 60_000);
    const offRate = median(results.off.map((r) => r.throughput));
    const onRate = median(results.on.map((r) => r.throughput));
    figures.push({
      bench: "forward", name: "callback throughput, forwarding on, 50 conn", value: onRate, unit: "req/s",
      baseline: { label: "forwarding off req/s", value: offRate }, ratio: onRate / offRate, goal: ">= 0.8", met: onRate / offRate >= 0.8,
      note: `medians of ${rounds}`,
    });

    console.log(`300 callbacks/s for ${sustainSeconds} s with forwarding on:`);
    const before = bot.received.length;
    const samples: number[] = [];
    const load = await openLoop(`${on.url}/api/callback`, bodies, 300, sustainSeconds, nextSeq, async () => void samples.push(await backlog(db)));
    const stoppedAt = performance.now();
    const drainedMs = (await waitForEmpty(db, 60_000)) ? performance.now() - stoppedAt : NaN;
    const forwarded = bot.received.length - before;
    console.log(`  sent ${load.sent} (${load.skipped} not sent: the server was ${MAX_IN_FLIGHT} behind), answered 200: ${load.ok} (${load.rate.toFixed(0)}/s), errors ${load.errors} ${errorKinds(load.kinds)}, p99 ${load.p99.toFixed(1)} ms`);
    console.log(`  backlog each second: median ${median(samples)}, max ${Math.max(...samples)}; empty ${(drainedMs / 1000).toFixed(2)} s after the load stopped; bot received ${forwarded}`);
    figures.push(
      {
        bench: "forward", name: `sustained 300/s for ${sustainSeconds} s: callbacks answered 200`, value: load.rate, unit: "req/s",
        baseline: { label: "offered req/s", value: 300 }, ratio: load.rate / 300, goal: ">= 0.98 of 300/s, no errors", met: load.rate >= 294 && load.errors === 0,
        ...(load.errors > 0 ? { note: `errors by kind: ${errorKinds(load.kinds)}` } : {}),
      },
      {
        bench: "forward", name: "backlog empty after the load stopped", value: drainedMs / 1000, unit: "s",
        baseline: { label: "max backlog during load", value: Math.max(...samples) }, goal: "<= 5 s", met: drainedMs <= 5000,
        note: `median backlog ${median(samples)} (sampled each second)`,
      },
      {
        bench: "forward", name: "deliveries at the bot = answered 200", value: forwarded, unit: "requests",
        baseline: { label: "answered 200", value: load.ok }, ratio: forwarded / load.ok, goal: ">= answered (at least once)", met: forwarded >= load.ok,
      },
    );
  } finally {
    await db.end();
    await bot.stop();
  }
  return figures;
}

/** Resolves true once nothing is pending (checked every 50 ms), false after `ms`. */
async function waitForEmpty(db: Pool, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if ((await backlog(db)) === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

await runStandalone(import.meta.url, run);
