import { spawnSync } from "node:child_process";
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Spool } from "./spool";

const dirs: string[] = [];
async function spoolDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "spool-test-"));
  dirs.push(dir);
  return join(dir, "spool");
}
/** Segment files under a spool root, in every process's directory. */
async function segmentFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.filter((e) => /segment-\d+\.ndjson$/.test(e)).map((e) => join(root, e)).sort();
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("the spool", () => {
  it("keeps appended deliveries in order, with their arrival time, across a reopen", async () => {
    const dir = await spoolDir();
    const spool = await Spool.open(dir);
    const at = new Date("2026-01-02T03:04:05.678Z");
    await Promise.all(Array.from({ length: 30 }, (_, i) => spool.append(Buffer.from(`body ${i} \u0000 ünïcode`), at)));
    expect(spool.depth).toBe(30);
    await spool.close();

    const reopened = await Spool.open(dir);
    expect(reopened.depth).toBe(30);
    const [segment, ...rest] = await reopened.seal();
    expect(rest).toHaveLength(0);
    const records = await reopened.read(segment);
    expect(records.map((r) => r.body.toString())).toEqual(Array.from({ length: 30 }, (_, i) => `body ${i} \u0000 ünïcode`));
    expect(records.every((r) => r.receivedAt.getTime() === at.getTime())).toBe(true);
    expect(new Set(records.map((r) => r.key)).size).toBe(30);

    reopened.consumed(segment, 30);
    await reopened.remove(segment);
    expect(reopened.depth).toBe(0);
    expect(await segmentFiles(dir)).toEqual([]);
  });

  it("skips a line torn by a crash and never appends after it", async () => {
    const dir = await spoolDir();
    const spool = await Spool.open(dir);
    await spool.append(Buffer.from("one"), new Date());
    await spool.close();
    const [segment] = await segmentFiles(dir);
    await appendFile(segment, '{"k":"torn","t":1,"b":"dHdv');

    const reopened = await Spool.open(dir);
    await reopened.append(Buffer.from("three"), new Date());
    const segments = await reopened.seal();
    expect(segments).toHaveLength(2);
    const skipped: string[] = [];
    const bodies = [];
    for (const s of segments) for (const r of await reopened.read(s, (line) => skipped.push(line))) bodies.push(r.body.toString());
    expect(bodies).toEqual(["one", "three"]);
    expect(skipped).toHaveLength(1);
  });

  it("fails an append it cannot make durable", async () => {
    const dir = await spoolDir();
    const spool = await Spool.open(dir);
    await rm(dir, { recursive: true });
    await expect(spool.append(Buffer.from("lost?"), new Date())).rejects.toThrow();
    expect(await spool.writable()).toMatch(/not writable|failed/);
  });

  it("gives each spool a directory of its own: a live one's segments are never taken, a dead one's are adopted once", async () => {
    const root = await spoolDir();
    const first = await Spool.open(root);
    const second = await Spool.open(root);
    expect(first.dir).not.toBe(second.dir);
    await first.append(Buffer.from("first's"), new Date());
    await second.append(Buffer.from("second's"), new Date());
    // Both live (this process): sealing one never touches the other's segment.
    const sealed = await second.seal();
    expect(await Promise.all(sealed.map(async (s) => (await second.read(s)).map((r) => r.body.toString())))).toEqual([["second's"]]);
    expect(first.depth).toBe(1);

    // A process that died with a spool: its owner file names a pid that no longer runs.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const orphan = await Spool.open(root);
    await orphan.append(Buffer.from("orphan's 1"), new Date());
    await orphan.append(Buffer.from("orphan's 2"), new Date());
    await orphan.seal();
    const owner = JSON.parse(await readFile(join(orphan.dir, "owner"), "utf8"));
    await writeFile(join(orphan.dir, "owner"), JSON.stringify({ ...owner, pid: Number(dead.stdout) }));

    expect(await first.adoptOrphans()).toBe(1);
    expect(await second.adoptOrphans()).toBe(0);
    const bodies: string[] = [];
    for (const s of await first.seal()) for (const r of await first.read(s)) bodies.push(r.body.toString());
    expect(bodies).toEqual(["first's", "orphan's 1", "orphan's 2"]);
    expect((await readdir(root)).sort()).toEqual([first.dir, second.dir].map((d) => d.slice(root.length + 1)).sort());
  });

  it("a spool closed with deliveries left is adopted by the next one opened", async () => {
    const root = await spoolDir();
    const spool = await Spool.open(root);
    await spool.append(Buffer.from("left over"), new Date());
    await spool.close();
    const next = await Spool.open(root);
    expect(next.depth).toBe(1);
    const [segment] = await next.seal();
    expect((await next.read(segment)).map((r) => r.body.toString())).toEqual(["left over"]);
  });
});
