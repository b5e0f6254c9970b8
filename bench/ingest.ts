// Ingest benchmark: POST /api/callback under closed-loop load with unique messages, side by side
// with (a) a route of the same build that only parses the JSON and (b) at 50 connections, a bare
// Node + pg receiver this bench starts itself (bench/lib/bare-receiver.mjs: node:http, JSON.parse,
// one INSERT, 200) on the same database with the same bodies, and (c) the same receiver writing to a
// copy of video_events without its summary triggers, which a one-row INSERT pays in full and a
// grouped one shares; then the same load spread over two instances on one database. (The Prisma-create baseline went with the Prisma Client:
// docs/architecture.md.)
// `npx tsx bench/ingest.ts [--quick]`
import type { Pool } from "pg";
import { createPool } from "../lib/db/client";
import { byTurns, closedLoop, type LoadResult, type LoadTarget } from "./lib/load";
import { startBareReceiver } from "./lib/bare-receiver";
import { startProfiledServer, summariseProfile } from "./lib/profile";
import { type Figure, section } from "./lib/report";
import { appServer, callbackBodies, type BenchOptions, freshDatabase } from "./lib/setup";
import { runStandalone } from "./lib/standalone";

type Counts = { videos: number; accepted: number };

async function counts(db: Pool): Promise<Counts> {
  const { rows } = await db.query<Counts>(`SELECT (SELECT count(*)::int FROM video_events) AS videos,
    (SELECT count(*)::int FROM deliveries WHERE "httpStatus" = 200) AS accepted`);
  return rows[0];
}

/** Counts once writing has settled (a receiver may answer before a grouped write lands). */
async function settledCounts(db: Pool): Promise<Counts> {
  let last = await counts(db);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await counts(db);
    if (now.videos === last.videos && now.accepted === last.accepted) return now;
    last = now;
  }
  return last;
}

const line = (label: string, r: LoadResult) =>
  console.log(
    `  ${label.padEnd(34)} ${Math.round(r.throughput).toString().padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.statuses)}` : ""}`,
  );

export async function run(options: BenchOptions): Promise<Figure[]> {
  section("ingest: POST /api/callback vs parse-only and a bare Node + pg receiver");
  const seconds = options.quick ? 5 : 15;
  const databaseUrl = await freshDatabase("vd_bench_ingest");
  const a = await appServer(databaseUrl);
  const db = createPool(databaseUrl, 2);
  const bodies = callbackBodies(`bench${Date.now().toString(36)}`);
  let seq = 0;
  const nextSeq = () => seq++;
  const routes = { parse: "/api/bench/parse-only", callback: "/api/callback" };
  // The parse-only route is not public as the callback is: a POST to it must show it comes from
  // this origin (lib/auth/access.ts), or it is refused 403 unread.
  const at = (server: { url: string }, path: string): LoadTarget => ({
    url: `${server.url}${path}`, body: bodies, headers: path === routes.parse ? { "sec-fetch-site": "same-origin" } : {},
  });
  const figures: Figure[] = [];
  // LIKE copies columns, defaults and the unique index, not the triggers.
  await db.query(`CREATE TABLE bare_video_events (LIKE video_events INCLUDING DEFAULTS INCLUDING INDEXES)`);
  const bare = await startBareReceiver(databaseUrl);
  const bareNoTriggers = await startBareReceiver(databaseUrl, "bare_video_events");
  try {
    for (const path of Object.values(routes)) await closedLoop([at(a, path)], 10, options.quick ? 1 : 3, nextSeq);
    for (const server of [bare, bareNoTriggers]) await closedLoop([at(server, "/")], 10, options.quick ? 1 : 3, nextSeq);
    const results: Record<number, { parse: LoadResult; callback: LoadResult; stored: Counts }> = {};
    for (const connections of [10, 50]) {
      console.log(`${connections} connections, ${seconds} s each:`);
      const parse = await closedLoop([at(a, routes.parse)], connections, seconds, nextSeq);
      line("(a) parse-only", parse);
      const before = await settledCounts(db);
      const callback = await closedLoop([at(a, routes.callback)], connections, seconds, nextSeq);
      const after = await settledCounts(db);
      line("/api/callback", callback);
      const stored = { videos: after.videos - before.videos, accepted: after.accepted - before.accepted };
      console.log(`  callback: ${callback.ok} answered 200, ${stored.accepted} deliveries logged 200, ${stored.videos} videos stored`);
      results[connections] = { parse, callback, stored };
    }
    // The bare receivers and the callback by turns (3 x a third of the time each), so that the
    // ratio is not at the mercy of whatever else ran on these cores during one of them.
    const rounds = 3;
    console.log(`50 connections, by turns: ${rounds} x ${seconds / rounds} s each:`);
    const [bareB, bareC, callbackTurns] = await byTurns([at(bare, "/"), at(bareNoTriggers, "/"), at(a, routes.callback)], 50, rounds, seconds / rounds, nextSeq);
    line("(b) bare Node + pg receiver", bareB);
    line("(c) the same, table without triggers", bareC);
    line("/api/callback", callbackTurns);
    figures.push(
      {
        bench: "ingest", name: "callback throughput, 50 conn, vs bare Node + pg", value: callbackTurns.throughput, unit: "req/s",
        baseline: { label: "(b) bare receiver req/s", value: bareB.throughput }, ratio: callbackTurns.throughput / bareB.throughput,
        goal: ">= 0.25", met: callbackTurns.throughput / bareB.throughput >= 0.25,
        note: `by turns; bare receiver p99 ${bareB.p99.toFixed(1)} ms, ${bareB.errors} errors; callback p99 ${callbackTurns.p99.toFixed(1)} ms`,
      },
      {
        bench: "ingest", name: "callback throughput, 50 conn, vs bare, no triggers", value: callbackTurns.throughput, unit: "req/s",
        baseline: { label: "(c) bare, no triggers req/s", value: bareC.throughput }, ratio: callbackTurns.throughput / bareC.throughput,
        goal: "(reads the ratio above)", met: null,
        note: `no goal: (c) skips the summary triggers the app's rows need; its p99 ${bareC.p99.toFixed(1)} ms`,
      },
    );
    for (const connections of [10, 50]) {
      const { parse, callback, stored } = results[connections];
      const judged = connections === 50;
      const verdict = (ok: boolean) => (judged ? ok : null);
      const note = judged ? undefined : "goal is at 50 connections";
      figures.push(
        {
          bench: "ingest", name: `callback throughput, ${connections} conn, vs parse-only`, value: callback.throughput, unit: "req/s",
          baseline: { label: "(a) parse-only req/s", value: parse.throughput }, ratio: callback.throughput / parse.throughput,
          goal: ">= 0.85", met: verdict(callback.throughput / parse.throughput >= 0.85), note,
        },
        {
          bench: "ingest", name: `callback p99, ${connections} conn`, value: callback.p99, unit: "ms",
          baseline: { label: "(a) p99 ms", value: parse.p99 }, ratio: callback.p99 / parse.p99,
          goal: "< 100 ms", met: verdict(callback.p99 < 100), note,
        },
        {
          bench: "ingest", name: `callback errors, ${connections} conn`, value: callback.errors, unit: "errors",
          baseline: { label: "requests", value: callback.requests }, goal: "0", met: verdict(callback.errors === 0), note,
        },
        {
          bench: "ingest", name: `rows stored = 200s, ${connections} conn`, value: stored.videos, unit: "rows",
          baseline: { label: "200s (client / deliveries)", value: callback.ok },
          ratio: stored.videos / callback.ok,
          goal: "rows = 200s", met: verdict(stored.videos === callback.ok && stored.accepted === callback.ok),
          note: note ?? (stored.accepted !== callback.ok ? `deliveries logged 200: ${stored.accepted}` : undefined),
        },
      );
    }

    // When a goal is missed, show where the callback's time goes.
    if (options.profile || figures.some((f) => f.met === false)) {
      console.log(`profiling /api/callback at 50 connections for ${seconds} s (node --cpu-prof)...`);
      const profiled = await startProfiledServer({ DATABASE_URL: databaseUrl });
      await closedLoop([{ url: `${profiled.url}${routes.callback}`, body: bodies }], 50, seconds, nextSeq);
      for (const l of summariseProfile(await profiled.stop())) console.log(`  ${l}`);
    }

    // Two instances on one database, connections dealt over both, as behind a load balancer.
    const b = await appServer(databaseUrl);
    await closedLoop([at(b, routes.callback)], 10, options.quick ? 1 : 3, nextSeq);
    console.log(`two instances, 50 connections over both, ${seconds} s:`);
    const before = await settledCounts(db);
    const both = await closedLoop([at(a, routes.callback), at(b, routes.callback)], 50, seconds, nextSeq);
    const after = await settledCounts(db);
    line("/api/callback on A and B", both);
    const single = results[50].callback;
    figures.push(
      {
        bench: "ingest", name: "two instances, 50 conn, vs one instance", value: both.throughput, unit: "req/s",
        baseline: { label: "one instance req/s", value: single.throughput }, ratio: both.throughput / single.throughput,
        goal: "no errors, rows = 200s", met: both.errors === 0 && after.videos - before.videos === both.ok,
        note: `p99 ${both.p99.toFixed(1)} ms; both instances share this machine's 2 cores with PostgreSQL and the load generator`,
      },
    );
  } finally {
    await bare.stop();
    await bareNoTriggers.stop();
    await db.end();
  }
  return figures;
}

await runStandalone(import.meta.url, run);
