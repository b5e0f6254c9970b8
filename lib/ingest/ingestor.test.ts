import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import { freePort } from "../db/embedded";
import { checkHealth } from "../health";
import { Ingestor } from "./ingestor";

const example = readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url));
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup) await c();
});

/** A receiver whose database refuses every connection. */
async function withDeadDatabase() {
  const dataDir = await mkdtemp(join(tmpdir(), "ingest-test-"));
  const deadUrl = `postgresql://postgres@127.0.0.1:${await freePort()}/none`;
  const ingestor = await Ingestor.start({ databaseUrl: deadUrl, dataDir, retryMs: 60_000 });
  const deadPool = new pg.Pool({ connectionString: deadUrl });
  cleanup.push(async () => {
    await ingestor.close(0);
    await deadPool.end();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { ingestor, dataDir, deadPool };
}

describe("the durable receiver without a database", () => {
  it("spools deliveries and answers 200 (400 for a broken body), reporting degraded health", async () => {
    const { ingestor, deadPool } = await withDeadDatabase();
    expect(await ingestor.receive(example)).toMatchObject({ status: 200, outcome: "spooled", eventCode: "20004" });
    expect(await ingestor.receive(Buffer.from("{oops"))).toMatchObject({ status: 400, outcome: "rejected" });
    const status = await ingestor.status();
    expect(status).toMatchObject({ spoolDepth: 2, spool: true });
    expect(await checkHealth(createDb(deadPool), status)).toMatchObject({ status: "degraded", spoolDepth: 2, database: expect.stringMatching(/unreachable/) });
  });

  it("answers 503 only when the spool cannot be written either, and health says down", async () => {
    const { ingestor, dataDir, deadPool } = await withDeadDatabase();
    await rm(join(dataDir, "spool"), { recursive: true });
    expect(await ingestor.receive(example)).toMatchObject({ status: 503, outcome: "unavailable", error: "the delivery could not be stored: retry later" });
    expect(await checkHealth(createDb(deadPool), await ingestor.status())).toMatchObject({ status: "down" });
  });
});
