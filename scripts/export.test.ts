import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { openSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { beforeAll, expect, it } from "vitest";
import { recordMedia } from "../lib/media/archive";
import { LocalStore } from "../lib/media/store-local";
import { entryBytes, readZip } from "../test/support/zip-reader";
import { useTestDatabase } from "../test/support/db";
import { parseExportRequest } from "../lib/export/request";
import { openExport } from "../lib/export/stream";
import { csvRecords, fillVideos, readAll } from "../test/support/export-readers";

const db = useTestDatabase();

function runExport(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  const rest = { ...process.env };
  delete rest.DATABASE_URL;
  return new Promise((resolve) => {
    execFile("node_modules/.bin/tsx", ["scripts/export.ts", ...args], { env: { ...rest, LOG_LEVEL: "silent", ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ status: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => fillVideos(db.pool, 2000, { senders: 50 }));

it("writes to stdout what GET /api/export would, for the same filters", async () => {
  const run = await runExport(["--format", "csv", "--from", "2024-09-01T00:10:00Z", "--fromWxId", "wxid_7"], { DATABASE_URL: db.url });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const viaLib = await readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams("format=csv&from=2024-09-01T00:10:00Z&fromWxId=wxid_7"))));
  expect(run.stdout).toBe(viaLib.toString());
  const rows = csvRecords(run.stdout);
  expect(rows.length).toBeGreaterThan(10);
  expect(rows.every((r) => r.fromWxId === "wxid_7" && r.sendTime! >= "2024-09-01T00:10:00.000Z")).toBe(true);
});

it("refuses bad arguments and a missing DATABASE_URL with a clear message and status 2", async () => {
  const [badFormat, unknownFlag, noDatabase] = await Promise.all([
    runExport(["--format", "xml", "--from", "2024-10-01", "--to", "2024-09-01"], { DATABASE_URL: db.url }),
    runExport(["--fromwxid", "x"], { DATABASE_URL: db.url }),
    runExport(["--format", "csv"], {}),
  ]);
  expect(badFormat.status).toBe(2);
  expect(badFormat.stderr).toMatch(/format: must be one of csv, ndjson, json, zip.*from is after to/);
  expect(unknownFlag.status).toBe(2);
  expect(unknownFlag.stderr).toMatch(/Unknown option '--fromwxid'/);
  expect(noDatabase.status).toBe(2);
  expect(noDatabase.stderr).toMatch(/DATABASE_URL is not set/);
});

// A process of its own (tsx compiling the script, the S3 client loaded for the store): slow to start on a loaded machine.
it("--format zip writes the zip of GET /api/export?format=zip to stdout, reading the configured media store", { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "export-script-"));
  try {
    const dataDir = join(dir, "data");
    const store = new LocalStore(dataDir);
    const bytes = Buffer.concat([Buffer.from("\0\0\0\x18ftypisom", "latin1"), randomBytes(200_000)]);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    await store.put(sha256, Readable.from([bytes]));
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text FROM video_events WHERE "fromWxId" = 'wxid_7' ORDER BY "sendTime" DESC, id DESC`);
    await recordMedia(db.client, rows[1].id, "video", { sha256, contentType: "video/mp4", bytes: bytes.length }, "cdn");

    const out = join(dir, "out.zip");
    const status = await new Promise<number | null>((resolve) => {
      const rest = { ...process.env };
      delete rest.DATABASE_URL;
      const child = spawn("node_modules/.bin/tsx", ["scripts/export.ts", "--format", "zip", "--fromWxId", "wxid_7"], {
        env: { ...rest, LOG_LEVEL: "silent", DATABASE_URL: db.url, DATA_DIR: dataDir, MEDIA_STORE: "local" },
        stdio: ["ignore", openSync(out, "w"), "inherit"],
      });
      child.on("exit", resolve);
    });
    expect(status).toBe(0);
    const zip = await readZip(out);
    expect(zip.entries.map((e) => e.name)).toEqual(["videos.csv", `videos/${rows[1].id}.mp4`, "missing.csv"]);
    expect(zip.entries[1].sha256).toBe(sha256);
    const csv = await readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams("format=csv&fromWxId=wxid_7"))));
    expect(entryBytes(zip, "videos.csv").equals(csv)).toBe(true);
    // Every other video and kind is named in missing.csv.
    expect(csvRecords(entryBytes(zip, "missing.csv").toString())).toHaveLength(2 * rows.length - 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
