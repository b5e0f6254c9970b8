import { appendFile, mkdtemp, readdir, rm } from "node:fs/promises";
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
    expect((await readdir(dir)).filter((f) => f.startsWith("segment-"))).toEqual([]);
  });

  it("skips a line torn by a crash and never appends after it", async () => {
    const dir = await spoolDir();
    const spool = await Spool.open(dir);
    await spool.append(Buffer.from("one"), new Date());
    await spool.close();
    const [name] = (await readdir(dir)).filter((f) => f.startsWith("segment-"));
    await appendFile(join(dir, name), '{"k":"torn","t":1,"b":"dHdv');

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
});
