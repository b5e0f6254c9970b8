import { execFile } from "node:child_process";
import { beforeAll, expect, it } from "vitest";
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
  expect(badFormat.stderr).toMatch(/format: must be one of csv, ndjson, json.*from is after to/);
  expect(unknownFlag.status).toBe(2);
  expect(unknownFlag.stderr).toMatch(/Unknown option '--fromwxid'/);
  expect(noDatabase.status).toBe(2);
  expect(noDatabase.stderr).toMatch(/DATABASE_URL is not set/);
});
