// DATA_DIR is private: what an earlier version left world-readable is tightened at start, and what
// the process creates afterwards (spool segments, media, the session secret) is 0600 in 0700 directories.
import { execFileSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makePrivate } from "./private-data-dir";

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

  it("leaves the embedded cluster to PostgreSQL, and DATA_DIR passable (0711) when the cluster belongs to another user", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "private-cluster-"));
    dirs.push(dataDir);
    const cluster = join(dataDir, "postgres");
    await mkdir(cluster, { mode: 0o750 });
    await writeFile(join(cluster, "postgresql.conf"), "", { mode: 0o640 });
    await makePrivate(dataDir);
    // Ours: DATA_DIR closed, the cluster's own modes untouched.
    expect(await mode(dataDir)).toBe("700");
    expect(await mode(cluster)).toBe("750");
    expect(await mode(join(cluster, "postgresql.conf"))).toBe("640");

    // As root the embedded server runs as "postgres": its user must be able to pass through DATA_DIR.
    await chown(cluster, 65534, 65534);
    await makePrivate(dataDir);
    expect(await mode(dataDir)).toBe("711");
    expect(await mode(cluster)).toBe("750");
  });

  it("does not follow a symbolic link out of DATA_DIR", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "private-link-"));
    const outside = await mkdtemp(join(tmpdir(), "private-outside-"));
    dirs.push(dataDir, outside);
    await writeFile(join(outside, "shared.txt"), "not ours", { mode: 0o644 });
    await chmod(outside, 0o755);
    await symlink(join(outside, "shared.txt"), join(dataDir, "file-link"));
    await symlink(outside, join(dataDir, "dir-link"));
    await makePrivate(dataDir);
    expect(await mode(outside)).toBe("755");
    expect(await mode(join(outside, "shared.txt"))).toBe("644");
  });
});
