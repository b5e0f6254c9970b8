// DATA_DIR is private: what an earlier version left world-readable is tightened at start, and what
// the process creates afterwards (spool segments, media, the session secret) is 0600 in 0700 directories.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makePrivate } from "./spool-lifecycle";
import { Spool } from "./spool";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe("a private DATA_DIR", () => {
  it("tightens what is there: directories 0700, files 0600", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "private-"));
    dirs.push(dataDir);
    await mkdir(join(dataDir, "spool", "run-abc"), { recursive: true, mode: 0o755 });
    await mkdir(join(dataDir, "media"), { mode: 0o777 });
    await writeFile(join(dataDir, "spool", "run-abc", "segment-000000000001.ndjson"), "{}\n", { mode: 0o644 });
    await writeFile(join(dataDir, "media", "a".repeat(64)), "video", { mode: 0o644 });
    await writeFile(join(dataDir, "session-secret"), "secret", { mode: 0o666 });
    execFileSync("chmod", ["0755", dataDir]);

    await makePrivate(dataDir);
    expect(await mode(dataDir)).toBe("700");
    for (const d of ["spool", "spool/run-abc", "media"]) expect(await mode(join(dataDir, d))).toBe("700");
    for (const f of ["spool/run-abc/segment-000000000001.ndjson", `media/${"a".repeat(64)}`, "session-secret"]) expect(await mode(join(dataDir, f))).toBe("600");
  });

  it("creates new files private once the process umask is set (as the server does at start)", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "private-new-"));
    dirs.push(dataDir);
    const previous = process.umask(0o077);
    try {
      const spool = await Spool.open(join(dataDir, "spool"));
      await spool.append(Buffer.from("{}"), new Date());
      const [segment] = await spool.seal();
      expect(await mode(join(dataDir, "spool"))).toBe("700");
      expect(await mode(spool.dir)).toBe("700");
      expect(await mode(segment.path)).toBe("600");
      expect(await mode(join(spool.dir, "owner"))).toBe("600");
      await spool.close();
    } finally {
      process.umask(previous);
    }
  });
});
