// Failures that are a delivery's own, on every path, where no limit of the payload schema stands
// in front of them: a value that cannot be prepared (a RangeError), a row the database refuses
// (SQLSTATE class 22, 23 or 54), raised here by triggers so that they happen for one marked
// delivery only. That delivery is refused; a group it is in is split so its good rows are stored;
// nothing is spooled for it and nothing waits behind it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../../test/support/cleanup";
import { useTestDatabase } from "../../test/support/db";
import { ordinaryVideo } from "../../test/support/poison";
import { waitFor } from "../../test/durability-helpers";
import { deliveryFailure } from "../db/errors";
import { checkHealth } from "../health";
import { storeGroup, type Settled } from "./batcher";
import { classify } from "./classify";
import { Ingestor } from "./ingestor";
import { videoItem } from "./store";

const db = useTestDatabase();
const cleanup = useCleanup();

beforeAll(async () => {
  // A video whose serverId starts with "raise-" fails with the SQLSTATE that follows; a delivery
  // of another event whose body holds "refuse-54000" is refused as too large to index.
  await db.pool.query(`
    CREATE FUNCTION test_raise_for_marked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW."serverId" LIKE 'raise-%' THEN
        RAISE EXCEPTION 'refused by the test' USING ERRCODE = substring(NEW."serverId" from 7 for 5);
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_raise_for_marked BEFORE INSERT ON video_events FOR EACH ROW EXECUTE FUNCTION test_raise_for_marked();
    CREATE FUNCTION test_refuse_marked_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.outcome = 'other_event' AND NEW.body LIKE '%refuse-54000%' THEN
        RAISE EXCEPTION 'index row size 6024 exceeds btree version 4 maximum 2704 (test)' USING ERRCODE = '54000';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_refuse_marked_delivery BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION test_refuse_marked_delivery();
  `);
});

const item = (serverId: string) => {
  const classified = classify(ordinaryVideo(serverId));
  if (classified.kind !== "video") throw new Error(classified.kind);
  return videoItem(classified, ordinaryVideo(serverId), new Date());
};

async function settleGroup(items: ReturnType<typeof item>[]): Promise<Settled[]> {
  const settled: Settled[] = [];
  await storeGroup(db.client, items, (i, result) => void (settled[i] = result));
  return settled;
}

const stored = async (serverId: string) => (await db.pool.query(`SELECT 1 FROM video_events WHERE "serverId" = $1`, [serverId])).rowCount === 1;

describe("a group statement that one row makes fail", () => {
  it("is split when a row's value cannot be prepared (a RangeError): the other rows are stored", async () => {
    const bad = item("prepare-fails");
    // What a stack overflow while Prisma Client serializes one row's values looks like to the group.
    bad.row.fromNickName = { toJSON: () => { throw new RangeError("Maximum call stack size exceeded"); } };
    const settled = await settleGroup([item("split-a1"), bad, item("split-a2")]);
    expect(settled.map((s) => s.ok)).toEqual([true, false, true]);
    const failure = settled[1];
    expect(!failure.ok && deliveryFailure(failure.error)).toBe("own");
    expect(await stored("split-a1")).toBe(true);
    expect(await stored("split-a2")).toBe(true);
  });

  it("is split when a row fails with an error not understood (a trigger's RAISE): the other rows are stored", async () => {
    const settled = await settleGroup([item("split-b1"), item("raise-P0001"), item("split-b2")]);
    expect(settled.map((s) => s.ok)).toEqual([true, false, true]);
    const failure = settled[1];
    expect(!failure.ok && deliveryFailure(failure.error)).toBe("unknown");
    expect(await stored("split-b1")).toBe(true);
    expect(await stored("split-b2")).toBe(true);
  });
});

async function startIngestor(dataDir?: string): Promise<Ingestor> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "own-failures-")));
  const ingestor = await Ingestor.start({ databaseUrl: db.url, dataDir: dir, retryMs: 100 });
  cleanup.push(async () => {
    await ingestor.close(0);
    await rm(dir, { recursive: true, force: true });
  });
  return ingestor;
}

const otherEvent = (marker: string) => Buffer.from(JSON.stringify({ event: "20005", time: Date.now(), data: { robotId: "r", marker } }));

async function refusedRow(marker: string) {
  const { rows } = await db.pool.query(`SELECT outcome::text, "httpStatus", "eventCode", error FROM deliveries WHERE body LIKE '%' || $1 || '%'`, [marker]);
  return rows;
}

describe("a delivery the database refuses for its own content", () => {
  it("stored directly (another event, its deliveries row too large to index): refused with 400, not spooled; the next video is stored", async () => {
    const ingestor = await startIngestor();
    expect(await ingestor.receive(otherEvent("refuse-54000-direct"))).toMatchObject({ status: 400, outcome: "rejected", error: expect.stringMatching(/^the database refused this delivery: index row size/) });
    expect((await ingestor.status()).spoolDepth).toBe(0);
    expect(await refusedRow("refuse-54000-direct")).toEqual([{ outcome: "rejected", httpStatus: 400, eventCode: "20005", error: expect.stringContaining("index row size") }]);
    expect(await ingestor.receive(ordinaryVideo("after-refused-direct"))).toMatchObject({ status: 200, outcome: "stored" });
    expect((await checkHealth(db.client, await ingestor.status())).status).toBe("ok");
  });

  it("through group commit (a video refused with 22P02 among others): refused with 400, the others stored", async () => {
    const ingestor = await startIngestor();
    const answers = await Promise.all(["group-c1", "raise-22P02-c", "group-c2"].map((id) => ingestor.receive(ordinaryVideo(id))));
    expect(answers.map((a) => a.status)).toEqual([200, 400, 200]);
    expect(answers[1]).toMatchObject({ outcome: "rejected", error: expect.stringMatching(/^the database refused this 20004 payload: refused by the test/) });
    expect(await stored("group-c1")).toBe(true);
    expect(await stored("group-c2")).toBe(true);
    expect((await ingestor.status()).spoolDepth).toBe(0);
  });

  it("replayed from the spool: recorded as refused (answered 200), and the delivery behind it is stored", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "own-failures-"));
    await mkdir(join(dataDir, "spool"));
    const lines = [otherEvent("refuse-54000-spooled"), ordinaryVideo("raise-23505-spooled"), ordinaryVideo("after-refused-spooled")].map(
      (body, i) => JSON.stringify({ k: `earlier:${i + 1}`, t: Date.now(), b: body.toString("base64") }) + "\n",
    );
    await writeFile(join(dataDir, "spool", "segment-000000000001.ndjson"), lines.join(""));
    const ingestor = await startIngestor(dataDir);
    await waitFor("the video behind them to be stored", () => stored("after-refused-spooled"), 10_000);
    await waitFor("health to be ok", async () => (await checkHealth(db.client, await ingestor.status())).status === "ok", 10_000);
    expect(await refusedRow("refuse-54000-spooled")).toEqual([{ outcome: "rejected", httpStatus: 200, eventCode: "20005", error: expect.stringContaining("index row size") }]);
    expect(await refusedRow("raise-23505-spooled")).toEqual([{ outcome: "rejected", httpStatus: 200, eventCode: "20004", error: expect.stringContaining("refused by the test") }]);
  });
});
