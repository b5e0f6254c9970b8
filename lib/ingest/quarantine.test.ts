// The drain never blocks on one record (issue 24): a spooled delivery that fails the same way
// twice, with an error that says neither "the delivery's own" nor "the database is away", is set
// aside: a deliveries row marked quarantined, or, when the database refuses even that row, a
// dead-letter file under DATA_DIR. The failures are real: triggers created in the test database
// raise for marked deliveries only (SQLSTATE P0001, which no classifier understands).
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../../test/support/cleanup";
import { useTestDatabase } from "../../test/support/db";
import { ordinaryVideo } from "../../test/support/poison";
import { createRaisingTrigger } from "../../test/support/raising-trigger";
import { waitFor } from "../../test/durability-helpers";
import { listDeliveries } from "../deliveries/list";
import { replayDelivery } from "../deliveries/replay";
import { checkHealth, publicHealth } from "../health";
import { metrics } from "../metrics/registry";
import { DEAD_LETTER_DIR, replayDeadLetters } from "./dead-letter";
import { Ingestor } from "./ingestor";

const db = useTestDatabase();
const cleanup = useCleanup();

beforeAll(async () => {
  // P0001, a trigger's RAISE: neither the delivery's own failure nor the database's.
  await createRaisingTrigger(db.pool, "test_fail_unknown_video", "video_events", `NEW."serverId" LIKE 'unknown-%'`, "EXCEPTION 'a bug in a trigger (test)'");
  await createRaisingTrigger(db.pool, "test_fail_every_delivery_row", "deliveries", `NEW.body LIKE '%dead-letter-%'`, "EXCEPTION 'no row for this one (test)'");
  // A video refused for its own values (22P02) whose rejected row cannot be written either.
  await createRaisingTrigger(db.pool, "test_refuse_own_video", "video_events", `NEW."serverId" LIKE 'own-unrecorded-%'`, "EXCEPTION 'refused (test)' USING ERRCODE = '22P02'");
  await createRaisingTrigger(db.pool, "test_fail_rejected_row", "deliveries", `NEW.outcome = 'rejected' AND NEW.body LIKE '%own-unrecorded-%'`, "EXCEPTION 'no rejected row (test)'");
});

async function startIngestor(): Promise<{ ingestor: Ingestor; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), "quarantine-"));
  const ingestor = await Ingestor.start({ databaseUrl: db.url, dataDir, retryMs: 100 });
  cleanup.push(async () => {
    await ingestor.close(0);
    await rm(dataDir, { recursive: true, force: true });
  });
  return { ingestor, dataDir };
}

const stored = async (serverId: string) => (await db.pool.query(`SELECT 1 FROM video_events WHERE "serverId" = $1`, [serverId])).rowCount === 1;
const quarantinedTotal = async (to: string) => (await metrics.quarantined.get()).values.find((v) => v.labels.to === to)?.value ?? 0;
const otherEvent = (marker: string) => Buffer.from(JSON.stringify({ event: "20005", time: Date.now(), data: { robotId: "r", marker } }));

describe("a spooled delivery whose every insert fails with an error not understood", () => {
  it("is quarantined in the deliveries log: the drain moves on, the metric and health count it, a replay after the fix stores it", async () => {
    const { ingestor } = await startIngestor();
    const before = await quarantinedTotal("deliveries");
    // Direct: the error is not understood, so the delivery is spooled (answered 200) and retried.
    expect(await ingestor.receive(ordinaryVideo("unknown-1"))).toMatchObject({ status: 200, outcome: "spooled" });
    expect(await ingestor.receive(ordinaryVideo("after-unknown-1"))).toMatchObject({ status: 200, outcome: "spooled" });
    await waitFor("the video behind it to be stored", () => stored("after-unknown-1"), 15_000);
    expect(await stored("unknown-1")).toBe(false);

    const { items } = await listDeliveries(db.client, { outcome: "quarantined", limit: 10, cursor: undefined });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ outcome: "quarantined", httpStatus: 200, eventCode: "20004", hasBody: true, error: expect.stringContaining("a bug in a trigger (test)") });
    expect(await quarantinedTotal("deliveries")).toBe(before + 1);
    await waitFor("health to be ok", async () => (await checkHealth(db.client, await ingestor.status())).status === "ok", 10_000);
    const health = await checkHealth(db.client, await ingestor.status());
    expect(health).toMatchObject({ status: "ok", spoolDepth: 0, quarantined: 1, deadLetters: 0 });
    // What anyone may see: the count, without the error texts.
    expect(publicHealth(health)).toEqual({ status: "ok", database: "ok", spoolDepth: 0, spool: "ok", quarantined: 1 });

    // The fix: the trigger goes; the quarantined delivery is replayed from the deliveries log.
    await db.pool.query(`DROP TRIGGER test_fail_unknown_video ON video_events`);
    expect(await replayDelivery(db.client, items[0].id)).toMatchObject({ kind: "replayed", outcome: "stored" });
    expect(await stored("unknown-1")).toBe(true);
    expect(await checkHealth(db.client, await ingestor.status())).toMatchObject({ status: "ok", quarantined: 0 });
  });

  it("refused for its own values, and its rejected row cannot be written: quarantined at once, the drain moves on", async () => {
    const { ingestor } = await startIngestor();
    // Directly, the refusal's row fails in a way not understood: the delivery is spooled.
    expect(await ingestor.receive(ordinaryVideo("own-unrecorded-1"))).toMatchObject({ status: 200, outcome: "spooled" });
    expect(await ingestor.receive(ordinaryVideo("after-own-unrecorded-1"))).toMatchObject({ status: 200, outcome: "spooled" });
    await waitFor("the video behind it to be stored", () => stored("after-own-unrecorded-1"), 15_000);
    const { rows } = await db.pool.query(`SELECT outcome::text, "httpStatus", error FROM deliveries WHERE body LIKE '%own-unrecorded-1"%'`);
    expect(rows).toEqual([{ outcome: "quarantined", httpStatus: 200, error: expect.stringMatching(/refused \(refused \(test\)\), and its refusal could not be recorded: no rejected row \(test\)/) }]);
  });

  it("goes to a dead-letter file when even its quarantine row is refused: private, counted, degrades health until replayed", async () => {
    const { ingestor, dataDir } = await startIngestor();
    const before = await quarantinedTotal("dead_letter");
    expect(await ingestor.receive(otherEvent("dead-letter-1"))).toMatchObject({ status: 200, outcome: "spooled" });
    expect(await ingestor.receive(ordinaryVideo("after-dead-letter-1"))).toMatchObject({ status: 200, outcome: "spooled" });
    await waitFor("the video behind it to be stored", () => stored("after-dead-letter-1"), 15_000);

    const dir = join(dataDir, DEAD_LETTER_DIR);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, files[0]))).mode & 0o777).toBe(0o600);
    expect(await quarantinedTotal("dead_letter")).toBe(before + 1);
    await waitFor("the spool to be empty", async () => (await ingestor.status()).spoolDepth === 0, 10_000);
    const health = await checkHealth(db.client, await ingestor.status());
    expect(health).toMatchObject({ status: "degraded", spoolDepth: 0, deadLetters: 1 });
    expect(publicHealth(health)).toMatchObject({ status: "degraded", deadLetters: 1 });

    await db.pool.query(`DROP TRIGGER test_fail_every_delivery_row ON deliveries`);
    expect(await replayDeadLetters(db.client, dataDir)).toEqual({ stored: 1, failed: [] });
    expect(await readdir(dir)).toEqual([]);
    const { rows } = await db.pool.query(`SELECT outcome::text, "httpStatus", "eventCode" FROM deliveries WHERE body LIKE '%dead-letter-1%'`);
    expect(rows).toEqual([{ outcome: "other_event", httpStatus: 200, eventCode: "20005" }]);
    expect(await checkHealth(db.client, await ingestor.status())).toMatchObject({ status: "ok", deadLetters: 0 });
  });
});
