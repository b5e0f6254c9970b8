// The spool's ownership rules and its record format at their edges. Written against the mutants
// Stryker left alive in lib/ingest/spool.ts (docs/testing.md), in a file of its own.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useSpoolRoots } from "../../test/support/temp-spool";
import { Spool } from "./spool";

const spoolRoot = useSpoolRoots("spool-adoption-");
/** A pid that has certainly exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
}
const line = (key: string, body: string, extra: Record<string, unknown> = {}) => JSON.stringify({ k: key, t: 1_700_000_000_000, b: Buffer.from(body).toString("base64"), ...extra }) + "\n";
/** A run directory as another process would have left it: its owner file and one segment. */
async function leftBehind(root: string, name: string, owner: Record<string, unknown> | null, bodies: string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  if (owner) await writeFile(join(dir, "owner"), JSON.stringify(owner));
  await writeFile(join(dir, "segment-000000000001.ndjson"), bodies.map((b, i) => line(`${name}:${i + 1}`, b)).join(""));
  return dir;
}
async function bodiesOf(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  for (const s of await spool.seal()) for (const r of await spool.read(s)) out.push(r.body.toString());
  return out;
}

describe("whose spool directory may be taken", () => {
  it("another host's directory is never taken, even when its pid does not run here", async () => {
    const root = await spoolRoot();
    await mkdir(root, { recursive: true });
    const foreign = await leftBehind(root, "run-aaaa", { pid: deadPid(), started: null, host: `not-${hostname()}` }, ["theirs"]);
    const spool = await Spool.open(root);
    expect(spool.depth).toBe(0);
    expect(await readdir(foreign)).toContain("segment-000000000001.ndjson");
  });

  it("a live pid with another start time is a reused pid: its old owner is gone; with the same start time it is alive", async () => {
    const root = await spoolRoot();
    await mkdir(root, { recursive: true });
    const me = JSON.parse(await readFile(join((await Spool.open(root)).dir, "owner"), "utf8"));
    // The owner file holds the process's start time: field 22 of /proc/<pid>/stat.
    const stat = await readFile(`/proc/${process.pid}/stat`, "utf8");
    expect(me).toEqual({ pid: process.pid, started: stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3], host: hostname() });
    expect(Number(me.started)).toBeGreaterThan(0);
    await leftBehind(root, "run-bbbb", { pid: process.pid, started: "1", host: hostname() }, ["reused pid"]);
    await leftBehind(root, "run-cccc", { pid: process.pid, started: me.started, host: hostname() }, ["alive"]);
    await leftBehind(root, "run-dddd", { pid: process.pid, started: null, host: hostname() }, ["alive, start unknown"]);
    const spool = await Spool.open(root);
    expect(await bodiesOf(spool)).toEqual(["reused pid"]);
    expect(existsSync(join(root, "run-bbbb"))).toBe(false);
    expect(existsSync(join(root, "run-cccc", "segment-000000000001.ndjson"))).toBe(true);
  });

  it("a directory left without its owner file (let go at close) is taken; an unreadable owner file is not", async () => {
    const root = await spoolRoot();
    await mkdir(root, { recursive: true });
    await leftBehind(root, "run-eeee", null, ["let go"]);
    const garbled = await leftBehind(root, "run-ffff", null, ["owner unreadable"]);
    await writeFile(join(garbled, "owner"), "{not json");
    const spool = await Spool.open(root);
    expect(await bodiesOf(spool)).toEqual(["let go"]);
    expect(existsSync(join(garbled, "segment-000000000001.ndjson"))).toBe(true);
  });

  it("a directory still being made is left alone; one whose maker died is removed", async () => {
    const root = await spoolRoot();
    await mkdir(join(root, ".new-1111"), { recursive: true });
    await mkdir(join(root, ".new-2222"), { recursive: true });
    await writeFile(join(root, ".new-2222", "owner"), JSON.stringify({ pid: deadPid(), started: null, host: hostname() }));
    await Spool.open(root);
    expect(existsSync(join(root, ".new-1111"))).toBe(true);
    expect(existsSync(join(root, ".new-2222"))).toBe(false);
  });

  it("segments of the single-directory layout of earlier versions are adopted, oldest first; empty ones are dropped", async () => {
    const root = await spoolRoot();
    await mkdir(root, { recursive: true });
    // Written out of order, so that the directory's listing order is not theirs.
    for (const seq of [60, 10, 50, 20, 40, 30]) await writeFile(join(root, `segment-${String(seq).padStart(12, "0")}.ndjson`), line(`old:${seq}`, `body ${seq}`));
    await writeFile(join(root, "segment-000000000035.ndjson"), "");
    await writeFile(join(root, "notes.txt"), "not a segment");
    const spool = await Spool.open(root);
    expect(spool.depth).toBe(6);
    expect(await bodiesOf(spool)).toEqual(["body 10", "body 20", "body 30", "body 40", "body 50", "body 60"]);
    expect((await readdir(root)).filter((n) => n.startsWith("segment-"))).toEqual([]);
    expect(await readdir(spool.dir)).toHaveLength(7); // owner and six segments: the empty one is gone
  });

});

describe("records", () => {
  it("a JSON line that is no spool record is skipped; the content type is kept only when it is text", async () => {
    const root = await spoolRoot();
    await mkdir(root, { recursive: true });
    await writeFile(
      join(root, "segment-000000000001.ndjson"),
      line("a:1", "typed", { c: "application/json" }) + '{"k":1,"t":2,"b":"eA=="}\n' + '{"k":"a:2","t":"soon","b":"eA=="}\n' + '{"k":"a:3","t":3,"b":4}\n' + line("a:4", "untyped", { c: 5 }),
    );
    const spool = await Spool.open(root);
    const [segment] = await spool.seal();
    const skipped: string[] = [];
    const records = await spool.read(segment, (l) => skipped.push(l));
    expect(records.map((r) => [r.key, r.body.toString(), r.contentType])).toEqual([["a:1", "typed", "application/json"], ["a:4", "untyped", null]]);
    expect(skipped).toHaveLength(3);
    expect(records[0].receivedAt.getTime()).toBe(1_700_000_000_000);
  });

  it("keys name the spool's run and count up; consumed never goes below zero; removing twice is harmless", async () => {
    const spool = await Spool.open(await spoolRoot());
    const run = spool.dir.slice(spool.dir.lastIndexOf("run-") + 4);
    expect([spool.nextKey(), spool.nextKey()]).toEqual([`${run}:1`, `${run}:2`]);
    await spool.append(Buffer.from("x"), new Date(), undefined, "text/plain");
    const [segment] = await spool.seal();
    expect((await spool.read(segment))[0]).toMatchObject({ key: `${run}:3`, contentType: "text/plain" });
    spool.consumed(segment, 5);
    expect(spool.depth).toBe(0);
    await spool.remove(segment);
    await spool.remove(segment);
    expect(spool.depth).toBe(0);
  });

  it("a closed spool refuses appends; closing an empty one removes its directory, one with deliveries only lets it go", async () => {
    const root = await spoolRoot();
    const empty = await Spool.open(root);
    await empty.close();
    expect(existsSync(empty.dir)).toBe(false);
    await expect(empty.append(Buffer.from("late"), new Date())).rejects.toThrow(/closed/);
    const full = await Spool.open(root);
    await full.append(Buffer.from("kept"), new Date());
    await full.close();
    expect(await readdir(full.dir)).toEqual(["segment-000000000001.ndjson"]);
  });
});
