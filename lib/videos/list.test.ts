import { readFileSync } from "node:fs";
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { ParamError } from "../params";
import { parseVideoFilters } from "./filters";
import { parsePage } from "../shared/paging";
import { getVideo, listVideos } from "./list";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

const base = Date.parse("2024-09-20T10:00:00Z");
/** Ten videos, one minute apart: two senders, two conversations, both directions, durations 1..10. */
const fixtures = Array.from({ length: 10 }, (_, i) => ({
  ...example,
  data: {
    ...example.data,
    serverId: `S${i}`,
    sendTime: base + i * 60_000,
    fromWxId: i % 2 ? "wxid_odd" : "wxid_even",
    fromNickName: i % 2 ? "Odd, \"quoted\"" : "偶数",
    conversationId: i < 5 ? "R:12345@chatroom" : "S:wxid_even",
    messageSource: i % 3 === 0 ? 1 : 0,
    duration: i + 1,
  },
}));

const list = async (query: string) => listVideos(db.client, parseVideoFilters(new URLSearchParams(query)), parsePage(new URLSearchParams(query)));
const ids = async (query: string) => (await list(query)).items.map((v) => v.serverId);

describe("listing videos", () => {
  beforeAll(async () => {
    for (const f of fixtures) await receiveDelivery(db.client, Buffer.from(JSON.stringify(f)));
  });

  it("lists newest first with the payload's own field names", async () => {
    const page = await list("");
    expect(page.items.map((v) => v.serverId)).toEqual(["S9", "S8", "S7", "S6", "S5", "S4", "S3", "S2", "S1", "S0"]);
    expect(page.items[0]).toMatchObject({
      fromWxId: "wxid_odd",
      conversationId: "S:wxid_even",
      conversationKind: "private",
      duration: 10,
      direction: "out",
      sendTime: new Date(base + 9 * 60_000).toISOString(),
    });
    expect(page.items[0]).not.toHaveProperty("cdnAesKey");
    expect(page.nextCursor).toBeNull();
  });

  it("pages with a cursor without skipping or repeating", async () => {
    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 5; i++) {
      const page = await list(`limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((v) => v.serverId as string));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(["S9", "S8", "S7", "S6", "S5", "S4", "S3", "S2", "S1", "S0"]);
  });

  it.each([
    ["fromWxId=wxid_even", ["S8", "S6", "S4", "S2", "S0"]],
    ["conversationId=R:12345@chatroom", ["S4", "S3", "S2", "S1", "S0"]],
    ["direction=out", ["S9", "S6", "S3", "S0"]],
    ["minDuration=3&maxDuration=5", ["S4", "S3", "S2"]],
    [`from=${new Date(base + 7 * 60_000).toISOString()}`, ["S9", "S8", "S7"]],
    [`to=${base + 60_000}`, ["S1", "S0"]],
    ["q=偶", ["S8", "S6", "S4", "S2", "S0"]],
    ["q=12345", ["S4", "S3", "S2", "S1", "S0"]],
    ["q=ODD", ["S9", "S7", "S5", "S3", "S1"]],
    ["q=%25", []],
    ["fromWxId=wxid_odd&conversationId=R:12345@chatroom&direction=in", ["S1"]],
    ["robotId=string&instanceId=97554f7c82a1439c86df3143ef4975c5&limit=2", ["S9", "S8"]],
    ["robotId=nobody", []],
  ])("filters by %s", async (query, expected) => {
    expect(await ids(query)).toEqual(expected);
  });

  it("reads a date-only `to` as the end of that day", async () => {
    expect(await ids("from=2024-09-20&to=2024-09-20")).toHaveLength(10);
    expect(await ids("to=2024-09-19")).toEqual([]);
  });

  it.each([
    ["cursor=not-a-cursor", "cursor: malformed cursor"],
    ["cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk6MQ", "cursor"],
    ["limit=-1", "limit: must be 1 or more"],
    ["limit=abc", "limit"],
    ["limit=100000", "limit: at most 500"],
    ["from=yesterday", "from: not a date"],
    ["from=-271821-04-20", "from: out of range"],
    ["to=99999999999999999", "to: "],
    ["from=2024-09-02&to=2024-09-01", "from: from is after to"],
    ["direction=sideways", "direction: must be in or out"],
    ["minDuration=-5", "minDuration: must be 0 or more"],
    [`fromWxId=${"x".repeat(5000)}`, "fromWxId: at most 256 characters"],
  ])("refuses %s with a clear reason", async (query, reason) => {
    await expect(list(query)).rejects.toThrow(ParamError);
    await expect(list(query)).rejects.toThrow(reason);
  });

  it("treats injection attempts as plain values", async () => {
    expect(await ids("fromWxId=' OR 1=1 --")).toEqual([]);
    expect(await ids("q=%'; DROP TABLE video_events; --")).toEqual([]);
    expect(await ids("")).toHaveLength(10);
  });

  it("returns one video with its CDN metadata, secrets redacted unless asked for", async () => {
    const [first] = (await list("limit=1")).items;
    const detail = await getVideo(db.client, first.id);
    expect(detail?.cdnData).toMatchObject({ md5: "25a0c03336d8193ba574ca4293403003", size: 120722, width: 90, height: 120, aes_key: "[redacted]", auth_key: "[redacted]" });
    expect(JSON.stringify(detail)).not.toContain(example.data.cdnData.aes_key);
    expect(JSON.stringify(detail)).not.toContain(example.data.cdnData.auth_key);
    const withSecrets = await getVideo(db.client, first.id, { includeSecrets: true });
    expect(withSecrets?.cdnData.aes_key).toBe(example.data.cdnData.aes_key);
    expect(await getVideo(db.client, "999999")).toBeNull();
    expect(await getVideo(db.client, "99999999999999999999")).toBeNull();
    expect(await getVideo(db.client, "1 OR 1=1")).toBeNull();
  });
});

describe("videos sharing one send time", () => {
  it("pages through all of them in id order (ids compare as numbers, not text)", async () => {
    const same = Date.parse("2030-01-01T00:00:00Z");
    for (let i = 0; i < 12; i++) {
      await receiveDelivery(db.client, Buffer.from(JSON.stringify({ ...example, data: { ...example.data, serverId: `tie-${i}`, fromWxId: "wxid_tie", sendTime: same } })));
    }
    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const page = await list(`fromWxId=wxid_tie&limit=5${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((v) => v.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(12);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
  });

  it("announces a batch of thousands of videos without overflowing NOTIFY's payload limit", async () => {
    const listener = new pg.Client({ connectionString: db.url });
    const payloads: string[] = [];
    listener.on("notification", (n) => {
      if (n.channel === "video_events") payloads.push(n.payload ?? "");
    });
    await listener.connect();
    try {
      await listener.query("LISTEN video_events");
      const inserted = await db.pool.query<{ id: string }>(`INSERT INTO video_events ("messageKey", "robotId", "messageSource", "cdnType", width, height, duration, "sendTime", "cdnUrl", raw)
        SELECT 'bulk-' || g, 'r', 0, 2, 1, 1, 1, now(), 'https://x', '{}' FROM generate_series(1, 3000) g RETURNING id::text`);
      const expected = inserted.rows.map((r) => r.id).sort();
      const announced = () => payloads.flatMap((p) => p.split(",")).sort();
      // PostgreSQL delivers a transaction's notifications together at commit; wait for all of them.
      await vi.waitFor(() => expect(announced().length).toBeGreaterThanOrEqual(expected.length), { timeout: 15_000, interval: 50 });
      expect(announced()).toEqual(expected);
      expect(payloads.length).toBeGreaterThan(1);
      for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    } finally {
      await listener.end();
    }
  });
});

describe("free-text search over many matching senders", () => {
  it("finds the same videos whether it lists the matches or walks the time index", async () => {
    // 1,001 senders match "crowd": too many to list, so the subquery form is used.
    await db.pool.query(`INSERT INTO video_events ("messageKey", "robotId", "fromWxId", "messageSource", "cdnType", width, height, duration, "sendTime", "cdnUrl", raw)
      SELECT 'crowd-' || g, 'r', 'wxid_crowd_' || g, 0, 2, 1, 1, 1, timestamptz '2031-01-01' + g * interval '1 second', 'https://x', '{}' FROM generate_series(1, 1001) g`);
    const crowd = await list("q=crowd&limit=3");
    expect(crowd.items.map((v) => v.fromWxId)).toEqual(["wxid_crowd_1001", "wxid_crowd_1000", "wxid_crowd_999"]);
    const one = await list("q=crowd_77&limit=50");
    expect(one.items.map((v) => v.fromWxId).sort()).toEqual(["wxid_crowd_77", "wxid_crowd_770", "wxid_crowd_771", "wxid_crowd_772", "wxid_crowd_773", "wxid_crowd_774", "wxid_crowd_775", "wxid_crowd_776", "wxid_crowd_777", "wxid_crowd_778", "wxid_crowd_779"]);
  });
});
