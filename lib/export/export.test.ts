import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { parseVideoFilters } from "../videos/filters";
import { ParamError } from "../params";
import { listVideos } from "../videos/list";
import { EXPORT_COLUMNS } from "./columns";
import { contentDisposition, exportFileName } from "./filename";
import { inlineParams } from "./query";
import { parseExportRequest, type ExportRequest } from "./request";
import { openExport, UTF8_BOM } from "./stream";
import { csvRecords, readAll } from "../../test/support/export-readers";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

const HOSTILE_NICK = 'Comma, "quoted"\nnew line\r\n张三 \\ back\\slash ,,"';
const HOSTILE_WXID = "wxid_x' OR '1'='1 $1 \\' --";
const AES_KEY = example.data.cdnData.aes_key as string;

type Seed = { serverId: string; fromWxId: string; fromNickName?: string | null; sendTime: number; duration?: number; messageSource?: number };
const SEEDS: Seed[] = [
  { serverId: "1", fromWxId: "wxid_a", fromNickName: HOSTILE_NICK, sendTime: Date.parse("2024-09-01T10:00:00.123Z"), duration: 3 },
  { serverId: "2", fromWxId: "wxid_a", fromNickName: "", sendTime: Date.parse("2024-09-02T10:00:00Z"), duration: 30 },
  { serverId: "3", fromWxId: "wxid_a", fromNickName: null, sendTime: Date.parse("2024-09-03T10:00:00Z"), duration: 60, messageSource: 1 },
  { serverId: "4", fromWxId: "wxid_b", fromNickName: "小明 🎬", sendTime: Date.parse("2024-09-03T10:00:00Z"), duration: 5 },
  { serverId: "5", fromWxId: "wxid_b", fromNickName: "=1+2", sendTime: Date.parse("2024-10-01T00:00:00Z"), duration: 7 },
  { serverId: "6", fromWxId: HOSTILE_WXID, fromNickName: "hostile", sendTime: Date.parse("2024-10-02T00:00:00Z"), duration: 9 },
];

async function exportBytes(query: string): Promise<Buffer> {
  const stream = await openExport(db.pool, parseExportRequest(new URLSearchParams(query)));
  const bytes = await readAll(stream);
  await stream.finished; // its connection is back in the pool: a later test counts them
  return bytes;
}

async function exportText(query: string): Promise<string> {
  return (await exportBytes(query)).toString("utf8");
}

async function listedIds(query: string): Promise<string[]> {
  const filters = parseVideoFilters(new URLSearchParams(query));
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await listVideos(db.client, filters, { limit: 2, cursor: cursor ? decode(cursor) : undefined });
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}
const decode = (cursor: string) => {
  const [time, id] = Buffer.from(cursor, "base64url").toString().split(":");
  return { time: new Date(Number(time)), id };
};

const parseNdjson = (text: string) => text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

async function store(seeds: Seed[]) {
  for (const s of seeds) {
    const body = {
      ...example,
      data: { ...example.data, ...s, localId: `l${s.serverId}`, conversationId: `R:room-${s.fromWxId}`, messageSource: s.messageSource ?? 0 },
    };
    expect(await receiveDelivery(db.client, Buffer.from(JSON.stringify(body)))).toMatchObject({ outcome: "stored" });
  }
}

/** The archive state of some seeds' files (the rest stay pending, as queued on arrival); `archive=` looks at the video's only. */
const ARCHIVE_STATES: [serverId: string, kind: string, state: string][] = [
  ["2", "video", "expired"],
  ["5", "video", "failed"],
  ["6", "video", "archived"],
  ["1", "preview", "expired"],
];

beforeAll(async () => {
  await store(SEEDS);
  for (const [serverId, kind, state] of ARCHIVE_STATES) {
    await db.pool.query(
      `UPDATE media_archive a SET state = $3::archive_state FROM video_events v WHERE a."videoEventId" = v.id AND a.kind = $2::media_kind AND v."serverId" = $1`,
      [serverId, kind, state],
    );
  }
});

describe("export formats", () => {
  // Each filter with the seeds it must select, worked out by hand from SEEDS (newest first; 3 and
  // 4 share a time, so the later-stored 4 comes first). Only "nobody" may be empty.
  const FILTER_CASES: [string, string[]][] = [
    ["", ["6", "5", "4", "3", "2", "1"]],
    ["fromWxId=wxid_a", ["3", "2", "1"]],
    // q matches a sender by any nickname it used, so all of wxid_b's videos.
    ["q=小明", ["5", "4"]],
    ["q=room-wxid_a", ["3", "2", "1"]],
    ["from=2024-09-02&to=2024-09-30", ["4", "3", "2"]],
    ["direction=out", ["3"]],
    ["direction=in&fromWxId=wxid_b", ["5", "4"]],
    ["minDuration=7", ["6", "5", "3", "2"]],
    ["maxDuration=7&fromWxId=wxid_b", ["5", "4"]],
    [`fromWxId=${encodeURIComponent(HOSTILE_WXID)}`, ["6"]],
    ["fromWxId=nobody", []],
    ["archive=expired", ["2"]],
    ["archive=failed", ["5"]],
    ["archive=archived", ["6"]],
    ["archive=pending&fromWxId=wxid_a", ["3", "1"]],
  ];

  it.each(FILTER_CASES)("exports exactly the videos the filter selects, in /api/videos order, in every format (%s)", async (filters, serverIds) => {
    const listed = await listedIds(filters);
    const idOf = Object.fromEntries((await listedIds("")).map((id, i) => [["6", "5", "4", "3", "2", "1"][i], id]));
    const expected = serverIds.map((serverId) => idOf[serverId]);
    expect(listed).toEqual(expected);
    const csv = csvRecords(await exportText(`format=csv&${filters}`));
    const ndjson = parseNdjson(await exportText(`format=ndjson&${filters}`));
    const json = JSON.parse(await exportText(`format=json&${filters}`)) as Record<string, unknown>[];
    for (const rows of [csv, ndjson, json]) {
      expect(rows.map((r) => r.id)).toEqual(expected);
      expect(rows.map((r) => r.serverId)).toEqual(serverIds);
    }
  });

  it("round-trips awkward nicknames: commas, quotes, newlines, backslashes, Chinese, emoji, empty and null", async () => {
    const csv = csvRecords(await exportText("format=csv&raw=1"));
    const ndjson = parseNdjson(await exportText("format=ndjson"));
    const json = JSON.parse(await exportText("format=json")) as Record<string, unknown>[];
    const byServerId = (rows: Record<string, unknown>[]) => Object.fromEntries(rows.map((r) => [r.serverId, r.fromNickName]));
    const expected = Object.fromEntries(SEEDS.map((s) => [s.serverId, s.fromNickName]));
    expect(byServerId(csv)).toEqual(expected);
    expect(byServerId(ndjson)).toEqual(expected);
    expect(byServerId(json)).toEqual(expected);
    expect(csv.find((r) => r.serverId === "6")?.fromWxId).toBe(HOSTILE_WXID);
  });

  it("writes the payload's field names, ISO times with their offset, and the same values in every format", async () => {
    const text = await exportText("format=csv&fromWxId=wxid_a");
    expect(text.split("\n")[0]).toBe(EXPORT_COLUMNS.filter((c) => !c.secret).map((c) => c.name).join(","));
    const [csvRow] = csvRecords(text);
    const [jsonRow] = parseNdjson(await exportText("format=ndjson&fromWxId=wxid_a"));
    const [item] = (await listVideos(db.client, parseVideoFilters(new URLSearchParams("fromWxId=wxid_a")), { limit: 1 })).items;
    expect(csvRow.sendTime).toBe("2024-09-03T10:00:00.000Z");
    expect(csvRow.sendTime).toBe(item.sendTime);
    expect(csvRow.receivedAt).toBe(item.receivedAt);
    expect(jsonRow).toMatchObject({
      id: item.id,
      fromWxId: "wxid_a",
      fromNickName: null,
      messageSource: 1,
      direction: "out",
      duration: 60,
      width: 224,
      height: 398,
      cdn_size: 120722,
      cdn_md5: example.data.cdnData.md5,
      cdn_url: example.data.cdnData.url,
      cdn_preview_img_size: 5765,
      cdn_width: 90,
      cdn_height: 120,
      sendTime: item.sendTime,
    });
    // CSV holds the same values as text; null is an empty field.
    for (const [name, value] of Object.entries(jsonRow)) expect(csvRow[name], name).toBe(value === null ? null : String(value));
  });

  it("leaves aes_key and auth_key out unless includeSecrets=1", async () => {
    for (const format of ["csv", "ndjson", "json"]) {
      const text = await exportText(`format=${format}`);
      expect(text).not.toContain(AES_KEY);
      expect(text).not.toContain("aes_key");
      expect(text).not.toContain("auth_key");
    }
    const [row] = csvRecords(await exportText("format=csv&includeSecrets=1&fromWxId=wxid_b"));
    expect(row.cdn_aes_key).toBe(AES_KEY);
    expect(row.cdn_auth_key).toBe(example.data.cdnData.auth_key);
  });

  it("starts with a UTF-8 BOM only when asked (bom=1)", async () => {
    const plain = await exportBytes("format=csv");
    const withBom = await exportBytes("format=csv&bom=1");
    expect(plain.subarray(0, 3).equals(UTF8_BOM)).toBe(false);
    expect(withBom.subarray(0, 3).equals(UTF8_BOM)).toBe(true);
    expect(withBom.subarray(3).equals(plain)).toBe(true);
  });

  it("gzips the same bytes with gzip=1, and says so in the file name", async () => {
    const plain = await exportBytes("format=ndjson");
    const zipped = await exportBytes("format=ndjson&gzip=1");
    expect(gunzipSync(zipped).equals(plain)).toBe(true);
    expect(exportFileName(parseExportRequest(new URLSearchParams("format=csv&gzip=1")), new Date(0))).toBe("videos_1970-01-01T000000Z.csv.gz");
  });

  it("writes a valid empty JSON array, and a header-only CSV, when nothing matches", async () => {
    expect(JSON.parse(await exportText("format=json&fromWxId=nobody"))).toEqual([]);
    expect(await exportText("format=ndjson&fromWxId=nobody")).toBe("");
    expect(csvRecords(await exportText("format=csv&fromWxId=nobody"))).toEqual([]);
  });

  it("returns every connection to the pool after finished exports", async () => {
    const stream = await openExport(db.pool, parseExportRequest(new URLSearchParams("format=json")));
    await readAll(stream);
    expect(await stream.finished).toEqual({ rows: SEEDS.length, aborted: false });
    expect(db.pool.totalCount).toBe(db.pool.idleCount);
    const { rows } = await db.pool.query("SHOW enable_sort");
    expect(rows[0].enable_sort).toBe("on");
  });
});

describe("export order", () => {
  it("orders ties on sendTime by id as a number (14 before 9), never as text", async () => {
    const tieTime = Date.parse("2024-10-05T00:00:00Z");
    await store(Array.from({ length: 8 }, (_, i) => ({ serverId: `tie${i}`, fromWxId: "wxid_tie", fromNickName: `tie ${i}`, sendTime: tieTime })));
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text FROM video_events WHERE "fromWxId" = 'wxid_tie' ORDER BY video_events.id DESC`);
    const numericDesc = rows.map((r) => r.id);
    expect(numericDesc.some((id) => id.length > 1) && numericDesc.some((id) => id.length === 1)).toBe(true);
    for (const format of ["csv", "ndjson"]) {
      const text = await exportText(`format=${format}&fromWxId=wxid_tie`);
      const ids = format === "csv" ? csvRecords(text).map((r) => r.id) : parseNdjson(text).map((r) => r.id);
      expect(ids).toEqual(numericDesc);
    }
    await db.pool.query(`DELETE FROM video_events WHERE "fromWxId" = 'wxid_tie'`);
  });
});

describe("export parameters", () => {
  const reason = (query: string) => {
    try {
      parseExportRequest(new URLSearchParams(query));
    } catch (err) {
      expect(err).toBeInstanceOf(ParamError);
      return (err as ParamError).message;
    }
    throw new Error(`accepted: ${query}`);
  };

  it("refuses an unknown format, a date that is not one, from after to, a bad flag, naming each", () => {
    expect(reason("format=xml")).toMatch(/format: must be one of csv, ndjson, json/);
    expect(reason("from=yesterday")).toMatch(/from: not a date/);
    expect(reason("from=2024-10-01&to=2024-09-01")).toMatch(/from is after to/);
    expect(reason("format=xls&to=nope")).toMatch(/format:.*to: not a date/);
    expect(reason("bom=yes")).toMatch(/bom: expected 1 or 0/);
  });

  it("defaults to CSV without BOM or secrets", () => {
    expect(parseExportRequest(new URLSearchParams(""))).toMatchObject({ format: "csv", bom: false, includeSecrets: false, gzip: false });
  });

  it("refuses a NUL character, which no PostgreSQL text can hold", async () => {
    await expect(openExport(db.pool, parseExportRequest(new URLSearchParams("fromWxId=a%00b")))).rejects.toThrow(ParamError);
    // Refused before a connection is taken: none is left checked out (each such request kept one).
    expect(db.pool.totalCount).toBe(db.pool.idleCount);
  });

  it("inlines values as literals in one pass: quotes, backslashes and placeholders inside values stay data", () => {
    const sql = inlineParams("a = $1 AND b = $2 AND c >= $3 AND d = $10", ["x' OR 1=1 --", "$1 \\'", new Date("2024-09-01T00:00:00Z"), 1, 2, 3, 4, 5, 6, 7]);
    expect(sql).toBe(`a = 'x'' OR 1=1 --' AND b =  E'$1 \\\\''' AND c >= '2024-09-01T00:00:00.000Z'::timestamptz AND d = 7`);
    expect(() => inlineParams("a = $2", ["x"])).toThrow(/no value for \$2/);
  });
});

describe("export file name", () => {
  const request = (query: string): ExportRequest => parseExportRequest(new URLSearchParams(query));
  const at = new Date("2026-11-26T13:26:35.123Z");

  it("names the filters and the time it was taken", () => {
    expect(exportFileName(request("format=csv&fromWxId=wxid_x&from=2024-09-01&to=2024-09-30"), at)).toBe(
      "videos_fromWxId-wxid_x_from-2024-09-01_to-2024-09-30_2026-11-26T132635Z.csv",
    );
    expect(exportFileName(request("format=ndjson"), at)).toBe("videos_2026-11-26T132635Z.ndjson");
    expect(exportFileName(request("format=json&q=../../etc/passwd\"x"), at)).toBe("videos_q-..-..-etc-passwd-x_2026-11-26T132635Z.json");
  });

  it("keeps non-ASCII names in filename* with an ASCII fallback", () => {
    const name = exportFileName(request("q=小明"), at);
    expect(name).toBe("videos_q-小明_2026-11-26T132635Z.csv");
    expect(contentDisposition(name)).toBe(
      `attachment; filename="videos_q---_2026-11-26T132635Z.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
    );
  });
});
