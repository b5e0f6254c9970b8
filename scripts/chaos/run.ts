// The chaos run (npm run chaos -- --minutes N, and a 2-minute run in npm test): the production
// build as a real `next start` on a PostgreSQL of its own, mixed callbacks at a steady rate, and
// at random moments the app killed -9 and restarted, its PostgreSQL stopped and started, and the
// spool's disk (a small tmpfs, where mounting is allowed) filled and freed. At the end, with
// everything back, it checks the promise: every delivery answered 200 is in the deliveries log
// exactly once, every 20004 answered 200 is in video_events exactly once, and nothing answered
// 4xx became a video.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startAppServer, type AppServer } from "../../test/support/app-server";
import { health, killAppHard, startRestartablePostgres, waitFor } from "../../test/durability-helpers";
import { PILLS } from "../../test/support/poison";

const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
// Over the deepest poison pill (an object nested 50,000 deep is 300 kB), under the default 1 MiB.
const MAX_BYTES = 400_000;

type Kind = "video" | "duplicate" | "other" | "bad" | "pill" | "oversize";
/** "refused": the connection was refused (the app restarting), so the request was never read; "no answer": unknown. */
type Sent = { kind: Kind; marker: string; status: number | "no answer" | "refused" };

export const FAULTS = ["kill", "database-restart", "disk-full"] as const;
export type Fault = (typeof FAULTS)[number];

/** The next fault: one that has not happened yet while there is one, else at random (35 / 35 / 30 %). */
export function nextFault(counts: Record<Fault, number>, allowed: readonly Fault[], random = Math.random): Fault {
  const missing = allowed.filter((f) => counts[f] === 0);
  if (missing.length > 0) return missing[Math.floor(random() * missing.length)];
  const roll = random();
  const pick: Fault = roll < 0.35 ? "kill" : roll < 0.7 ? "database-restart" : "disk-full";
  return allowed.includes(pick) ? pick : allowed[Math.floor(random() * allowed.length)];
}

/** A violation per fault kind that was to happen and did not: a run without it claims nothing about it. */
export function missingFaults(counts: Record<Fault, number>, skip: readonly Fault[]): string[] {
  return FAULTS.filter((f) => !skip.includes(f) && counts[f] === 0).map((f) => `fault ${f} never happened (pass --skip ${f} to run without it)`);
}

/** How a request that got no status ended: refused (never read by the app) or unknown. */
export function unanswered(err: NodeJS.ErrnoException): "refused" | "no answer" {
  return err.code === "ECONNREFUSED" ? "refused" : "no answer";
}

export type ChaosOptions = { minutes: number; rate?: number; say?: (line: string) => void; skip?: Fault[] };
export type ChaosReport = {
  sent: number;
  answered: Record<string, number>;
  deliveriesAnswered200: number;
  videosAnswered200: number;
  kills: number;
  databaseRestarts: number;
  diskFullEpisodes: number;
  diskFull: "tmpfs" | "not possible here";
  /** Connections refused while the app restarted (never read), apart from requests whose fate is unknown. */
  refused: number;
  unknown: number;
  violations: string[];
};

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const say = options.say ?? ((line: string) => console.log(`[chaos] ${line}`));
  const rate = options.rate ?? 30;
  const run = `chaos-${randomBytes(4).toString("hex")}`;
  const dataDir = mkdtempSync(join(tmpdir(), "chaos-data-"));
  const spoolDir = join(dataDir, "spool");
  mkdirSync(spoolDir, { recursive: true });
  const skip = options.skip ?? [];
  let tmpfs = false;
  if (!skip.includes("disk-full")) {
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=32m,mode=0700", "tmpfs", spoolDir], { stdio: "ignore" });
      tmpfs = true;
    } catch (err) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`cannot mount a tmpfs here (${(err as Error).message.split("\n")[0]}): no disk-full episodes possible; pass --skip disk-full to run without them`);
    }
  }
  const allowed = FAULTS.filter((f) => !skip.includes(f));
  const faults: Record<Fault, number> = { kill: 0, "database-restart": 0, "disk-full": 0 };
  const db = await startRestartablePostgres();
  const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, CALLBACK_MAX_BYTES: String(MAX_BYTES), LOG_LEVEL: "error" };
  let app: AppServer = await startAppServer(env);
  const counts = { kills: 0, databaseRestarts: 0, diskFullEpisodes: 0 };
  const sent: Sent[] = [];
  const videoBodies: Buffer[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const post = (kind: Kind, marker: string, body: Buffer) => {
    const record: Sent = { kind, marker, status: "no answer" };
    sent.push(record);
    return new Promise<void>((resolve) => {
      const req = http.request(`${app.url}/api/callback`, { method: "POST", agent, headers: { "content-type": "application/json" }, timeout: 30_000 }, (res) => {
        res.resume();
        res.on("end", () => {
          record.status = res.statusCode ?? "no answer";
          resolve();
        });
        res.on("error", () => resolve());
      });
      req.on("error", (err) => {
        if (record.status === "no answer") record.status = unanswered(err);
        resolve();
      });
      req.on("timeout", () => req.destroy());
      req.end(body);
    });
  };

  const sendOne = (i: number) => {
    const marker = `${run}-${i}`;
    const roll = Math.random();
    if (roll < 0.1 && videoBodies.length > 0) {
      // A redelivery: the same body again, byte for byte.
      const body = videoBodies[Math.floor(Math.random() * videoBodies.length)];
      return post("duplicate", JSON.parse(body.toString()).data.serverId, body);
    }
    if (roll < 0.65) {
      const body = Buffer.from(JSON.stringify({ ...example, time: Date.now(), data: { ...example.data, instanceId: run, serverId: marker, sendTime: Date.now() } }));
      videoBodies.push(body);
      return post("video", marker, body);
    }
    if (roll < 0.85) return post("other", marker, Buffer.from(JSON.stringify({ event: "20005", time: Date.now(), data: { instanceId: run, marker } })));
    if (roll < 0.92) {
      // A 20004 without its CDN data: refused with 400, kept as a rejected delivery, never a video.
      const data = { ...example.data, instanceId: run, serverId: marker, cdnData: undefined };
      return post("bad", marker, Buffer.from(JSON.stringify({ ...example, data })));
    }
    // A poison pill (issue 24): refused with 400 whatever happens, kept once, never blocks the spool.
    if (roll < 0.95) return post("pill", marker, PILLS[i % PILLS.length].body(marker));
    const padding = "x".repeat(MAX_BYTES);
    return post("oversize", marker, Buffer.from(JSON.stringify({ ...example, data: { ...example.data, instanceId: run, serverId: marker, padding } })));
  };

  const restartApp = async () => {
    killAppHard(dataDir);
    counts.kills++;
    try {
      app = await startAppServer(env);
    } catch (err) {
      // Not healthy within a minute: say why, and try once more.
      say(`restart failed: ${(err as Error).message.split("\n").filter((l) => l.startsWith("{")).join(" ").slice(0, 300)}`);
      killAppHard(dataDir);
      app = await startAppServer(env);
    }
  };
  const fillDisk = async () => {
    const filler = await open(join(spoolDir, "filler"), "w");
    try {
      for (;;) {
        const { bytesWritten } = await filler.write(Buffer.alloc(65_536, 1)).catch(() => ({ bytesWritten: 0 }));
        if (bytesWritten < 65_536) break;
      }
    } finally {
      await filler.close();
    }
  };
  const freeDisk = () => rm(join(spoolDir, "filler"), { force: true });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

  const endAt = Date.now() + options.minutes * 60_000;
  const inFlight = new Set<Promise<void>>();
  const load = (async () => {
    const started = performance.now();
    for (let i = 0; Date.now() < endAt; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 1) await pause(wait);
      const p = sendOne(i).then(() => void inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  })();

  const chaos = (async () => {
    while (Date.now() < endAt - 10_000) {
      await pause(between(3_000, 12_000));
      const fault = allowed.length > 0 ? nextFault(faults, allowed) : null;
      if (fault) faults[fault]++;
      if (fault === null) continue;
      if (fault === "kill") {
        say(`kill -9 the app (${sent.length} sent so far)`);
        await restartApp();
      } else if (fault === "database-restart" || !tmpfs) {
        say("PostgreSQL stopped");
        await db.stop();
        counts.databaseRestarts++;
        await pause(between(2_000, 10_000));
        // Sometimes the app dies while its spool holds the outage's deliveries.
        if (Math.random() < 0.3) {
          say("kill -9 the app during the outage");
          await restartApp();
        }
        await db.start();
        say("PostgreSQL started");
      } else {
        say("spool disk full");
        await db.stop();
        await fillDisk();
        counts.diskFullEpisodes++;
        await pause(between(2_000, 6_000));
        await freeDisk();
        await db.start();
        say("spool disk freed, PostgreSQL started");
      }
    }
  })();

  let violations: string[] = [];
  try {
    await Promise.all([load, chaos]);
    say(`load done (${sent.length} sent); waiting for the spool to drain`);
    let last: unknown = null;
    await waitFor("the app to be healthy with an empty spool", async () => {
      const h = await health(app.url);
      last = h;
      return h.status === "ok" && h.spoolDepth === 0;
    }, 180_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; its last health: ${JSON.stringify(last)}`);
    });
    violations = [...missingFaults(faults, skip), ...(await check(db.url, run, sent))];
  } finally {
    agent.destroy();
    await app.stop().catch(() => {});
    killAppHard(dataDir);
    await db.destroy().catch(() => {});
    if (tmpfs) execFileSync("umount", ["-l", spoolDir]);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const answered: Record<string, number> = {};
  for (const s of sent) answered[s.status] = (answered[s.status] ?? 0) + 1;
  return {
    sent: sent.length,
    answered,
    deliveriesAnswered200: sent.filter((s) => s.status === 200).length,
    videosAnswered200: sent.filter((s) => s.kind === "video" && s.status === 200).length,
    ...counts,
    diskFull: tmpfs ? "tmpfs" : "not possible here",
    refused: sent.filter((s) => s.status === "refused").length,
    unknown: sent.filter((s) => s.status === "no answer").length,
    violations,
  };
}

/** The invariant, delivery by delivery. */
async function check(databaseUrl: string, run: string, sent: Sent[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const count = (rows: { marker: string; n: number }[]) => new Map(rows.map((r) => [r.marker, r.n]));
    const videos = count(
      (await client.query(`SELECT "serverId" AS marker, count(*)::int AS n FROM video_events WHERE "instanceId" = $1 GROUP BY 1`, [run])).rows,
    );
    const videoDeliveries = count(
      (
        await client.query(
          `SELECT v."serverId" AS marker, count(*)::int AS n FROM deliveries d JOIN video_events v ON v.id = d."videoEventId"
           WHERE v."instanceId" = $1 GROUP BY 1`,
          [run],
        )
      ).rows,
    );
    const otherDeliveries = count(
      (
        await client.query(
          `SELECT substring(body from '"(?:marker|serverId)":"(${run}-[0-9]+)"') AS marker, count(*)::int AS n
           FROM deliveries WHERE "videoEventId" IS NULL AND body LIKE '%' || $1 || '%' GROUP BY 1`,
          [run],
        )
      ).rows,
    );
    const violations: string[] = [];
    // Per video identity: the deliveries answered 200 must all be there; beyond them, only
    // deliveries whose answer never came (the app killed mid-request) may be.
    const byIdentity = new Map<string, { ok: number; unknown: number }>();
    for (const s of sent.filter((s) => s.kind === "video" || s.kind === "duplicate")) {
      const e = byIdentity.get(s.marker) ?? { ok: 0, unknown: 0 };
      if (s.status === 200) e.ok++;
      else if (s.status === "no answer" || (typeof s.status === "number" && s.status >= 500)) e.unknown++;
      byIdentity.set(s.marker, e);
    }
    for (const [marker, e] of byIdentity) {
      const logged = videoDeliveries.get(marker) ?? 0;
      const rows = videos.get(marker) ?? 0;
      if (e.ok > 0 && rows !== 1) violations.push(`video ${marker}: answered 200, ${rows} rows in video_events`);
      if (logged < e.ok || logged > e.ok + e.unknown) violations.push(`video ${marker}: ${e.ok} answered 200 (+${e.unknown} unanswered), ${logged} in deliveries`);
      if (rows > 1) violations.push(`video ${marker}: ${rows} rows`);
    }
    for (const s of sent.filter((s) => s.kind === "pill")) {
      if (typeof s.status === "number" && s.status !== 400 && s.status < 500) violations.push(`pill ${s.marker}: answered ${s.status}`);
    }
    const pillVideos = await client.query(`SELECT "serverId" FROM video_events WHERE "serverId" = ANY($1)`, [sent.filter((s) => s.kind === "pill").map((s) => s.marker)]);
    for (const r of pillVideos.rows) violations.push(`pill ${r.serverId}: became a video`);
    for (const s of sent.filter((s) => s.kind === "other" || s.kind === "bad" || s.kind === "pill" || s.kind === "oversize")) {
      const logged = otherDeliveries.get(s.marker) ?? 0;
      if (s.status === 200 && logged !== 1) violations.push(`${s.kind} ${s.marker}: answered 200, ${logged} in deliveries`);
      if (logged > 1) violations.push(`${s.kind} ${s.marker}: ${logged} in deliveries`);
      if (typeof s.status === "number" && s.status >= 400 && s.status < 500 && videos.has(s.marker)) violations.push(`${s.kind} ${s.marker}: answered ${s.status}, became a video`);
    }
    return violations;
  } finally {
    await client.end();
  }
}
