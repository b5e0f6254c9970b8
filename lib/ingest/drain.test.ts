// The drain against a real PostgreSQL: spooled records are replayed in their order, a run of
// videos as one group, and a video whose values the database refuses is recorded as rejected
// (answered 200 when it was spooled) without holding back its neighbours.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { countingGroupStatements } from "../../test/support/group-statements";
import { waitFor } from "../../test/durability-helpers";
import { SpoolDrain } from "./drain";
import { Spool } from "./spool";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const video = (serverId: string, data: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId, ...data } }));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("the spool's drain", () => {
  it("replays in order: a refused video is recorded rejected (answered 200), its neighbours stored", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drain-test-"));
    dirs.push(dir);
    const spool = await Spool.open(join(dir, "spool"));
    const bodies = [
      video("d1"),
      video("d2-huge", { width: 99_999_999_999 }),
      video("d3"),
      Buffer.from(JSON.stringify({ event: "20005", data: { robotId: "r", content: "hi" } })),
      video("d4"),
      Buffer.from("{not json"),
      video("d1"),
    ];
    for (const body of bodies) await spool.append(body, new Date(), spool.nextKey(), "application/json");
    // Written one statement per group: what the drain sends tells whether runs are grouped.
    const { db: counted, groups } = countingGroupStatements(db.pool);
    const drain = new SpoolDrain(spool, counted, { retryMs: 50 });
    drain.start();
    try {
      await waitFor("the spool drained", async () => spool.depth === 0);
    } finally {
      await drain.stop();
      await spool.close();
    }
    // The first run (d1, d2-huge, d3) failed as a group, then went row by row; d4 and the
    // redelivered d1 were each a run of their own.
    expect(groups).toEqual([3, 1, 1, 1, 1, 1]);
    const { rows } = await db.pool.query(
      `SELECT d.outcome::text, d."httpStatus", d."eventCode", v."serverId", d.error IS NOT NULL AS "hasError"
       FROM deliveries d LEFT JOIN video_events v ON v.id = d."videoEventId" ORDER BY d.id`,
    );
    expect(rows).toEqual([
      { outcome: "stored", httpStatus: 200, eventCode: "20004", serverId: "d1", hasError: false },
      { outcome: "rejected", httpStatus: 200, eventCode: "20004", serverId: null, hasError: true },
      { outcome: "stored", httpStatus: 200, eventCode: "20004", serverId: "d3", hasError: false },
      { outcome: "other_event", httpStatus: 200, eventCode: "20005", serverId: null, hasError: false },
      { outcome: "stored", httpStatus: 200, eventCode: "20004", serverId: "d4", hasError: false },
      { outcome: "rejected", httpStatus: 400, eventCode: null, serverId: null, hasError: true },
      { outcome: "duplicate", httpStatus: 200, eventCode: "20004", serverId: "d1", hasError: false },
    ]);
  });
});
