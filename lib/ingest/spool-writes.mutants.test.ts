// How the spool writes and lists its segments, at their edges. Written against the mutants
// Stryker left alive in lib/ingest/spool.ts (docs/testing.md), in a file of its own.
import { spawnSync } from "node:child_process";
import { mkdir, open, readdir, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useSpoolRoots } from "../../test/support/temp-spool";
import { Spool, type SegmentFile } from "./spool";

const spoolRoot = useSpoolRoots("spool-writes-");
async function bodiesBySegment(spool: Spool): Promise<string[][]> {
  const out: string[][] = [];
  for (const s of await spool.seal()) out.push((await spool.read(s)).map((r) => r.body.toString()));
  return out;
}
/** Node's file, whose writes take at most `cap` bytes each (a disk that takes a little at a time). */
const cappedWrites = (cap: number) => async (path: string): Promise<SegmentFile> => {
  const file = await open(path, "a");
  return {
    write: (buffer, offset, length) => file.write(buffer, offset, Math.min(length, cap)),
    datasync: () => file.datasync(),
    truncate: (length) => file.truncate(length),
    close: () => file.close(),
  };
};

describe("segments", () => {
  it("a new segment starts after `segmentRecords` records, not one later", async () => {
    const spool = await Spool.open(await spoolRoot(), { segmentRecords: 2 });
    for (const b of ["1", "2", "3", "4", "5"]) await spool.append(Buffer.from(b), new Date());
    expect(await bodiesBySegment(spool)).toEqual([["1", "2"], ["3", "4"], ["5"]]);
  });

  it("a new segment starts once one holds 32 MiB", async () => {
    const spool = await Spool.open(await spoolRoot());
    const big = Buffer.alloc(25 << 20, 1); // 33 MiB once base64-encoded
    await spool.append(big, new Date());
    await spool.append(Buffer.from("after"), new Date());
    const segments = await spool.seal();
    expect(segments.map((s) => s.records)).toEqual([1, 1]);
  });

  it("a write that takes only part of the buffer is continued until all of it is in", async () => {
    const spool = await Spool.open(await spoolRoot(), { openSegment: cappedWrites(7) });
    await Promise.all(["first delivery", "second", "third, a little longer"].map((b) => spool.append(Buffer.from(b), new Date())));
    expect((await bodiesBySegment(spool)).flat()).toEqual(["first delivery", "second", "third, a little longer"]);
  });

  it("a write that takes nothing fails the append instead of looping", async () => {
    const spool = await Spool.open(await spoolRoot(), { openSegment: cappedWrites(0) });
    await expect(spool.append(Buffer.from("x"), new Date())).rejects.toThrow(/short write to the spool: 0 of/);
    expect(await spool.writable()).toMatch(/^last spool write failed: short write/);
  });

  it("depth counts appends still being written", async () => {
    const spool = await Spool.open(await spoolRoot());
    const pending = spool.append(Buffer.from("x"), new Date());
    expect(spool.depth).toBe(1);
    await pending;
    expect(spool.depth).toBe(1);
  });

  it("a removed segment is listed no more, and removing one twice never drops another", async () => {
    const spool = await Spool.open(await spoolRoot(), { segmentRecords: 1 });
    for (const b of ["a", "b", "c"]) await spool.append(Buffer.from(b), new Date());
    const [first, second, third] = await spool.seal();
    spool.consumed(first, 1);
    await spool.remove(first);
    await spool.remove(first);
    expect((await spool.seal()).map((s) => s.path)).toEqual([second.path, third.path]);
    await spool.remove(third);
    expect((await spool.seal()).map((s) => s.path)).toEqual([second.path]);
  });

  it("a torn line is reported to the reader cut to 200 characters", async () => {
    const root = await spoolRoot();
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "segment-000000000001.ndjson"), `{"k":"a:1","t":1,"b":"eA=="}\n{"k":"a:2","t":1,"b":"${"x".repeat(1000)}`);
    const spool = await Spool.open(root);
    const skipped: string[] = [];
    for (const s of await spool.seal()) await spool.read(s, (l) => skipped.push(l));
    expect(skipped.map((l) => l.length)).toEqual([200]);
  });

  it("an unwritable directory is reported before any append fails", async () => {
    const root = await spoolRoot();
    const spool = await Spool.open(root);
    await rm(root, { recursive: true });
    expect(await spool.writable()).toMatch(/^spool directory not writable: /);
  });
});

describe("adoption races", () => {
  it("two live spools adopting one dead process's segments at once take each exactly once", async () => {
    const root = await spoolRoot();
    const a = await Spool.open(root);
    const b = await Spool.open(root);
    const dead = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    const orphan = join(root, "run-dead");
    await mkdir(orphan);
    await writeFile(join(orphan, "owner"), JSON.stringify({ pid: dead, started: null, host: hostname() }));
    for (let i = 1; i <= 20; i++) await writeFile(join(orphan, `segment-${String(i).padStart(12, "0")}.ndjson`), JSON.stringify({ k: `dead:${i}`, t: 1, b: Buffer.from(`d${i}`).toString("base64") }) + "\n");
    const [fromA, fromB] = await Promise.all([a.adoptOrphans(), b.adoptOrphans()]);
    expect(fromA + fromB).toBe(20);
    const all = [...(await bodiesBySegment(a)), ...(await bodiesBySegment(b))].flat().sort();
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => `d${i + 1}`).sort());
    expect(await readdir(root)).not.toContain("run-dead");
  });
});
