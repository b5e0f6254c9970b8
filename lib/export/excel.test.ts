// The page's CSV for a spreadsheet in UTC+8 (bom=1&tz=local), against a real database, on a server
// whose dashboard zone is Asia/Shanghai; scripts that ask for neither keep today's bytes.
process.env.TZ = "Asia/Shanghai";

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { csvRecords, readAll } from "../../test/support/export-readers";
import { receiveDelivery } from "../ingest/store";
import { exportFileName } from "./filename";
import { parseExportRequest } from "./request";
import { openExport, UTF8_BOM } from "./stream";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

// 00:08:15 on 8 December in Shanghai, 16:08:15 on the 7th in UTC.
const SENT = Date.parse("2026-12-07T16:08:15.250Z");

async function exported(query: string): Promise<Buffer> {
  return readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams(query))));
}

describe("the page's CSV for Excel, TZ=Asia/Shanghai", () => {
  it("bom=1&tz=local: a BOM, then times in the dashboard's zone with the offset; the Chinese intact", async () => {
    const body = { ...example, data: { ...example.data, serverId: "excel-1", localId: "excel-1", fromWxId: "wxid_excel", fromNickName: "张三的视频", sendTime: SENT } };
    expect(await receiveDelivery(db.client, Buffer.from(JSON.stringify(body)))).toMatchObject({ outcome: "stored" });

    const page = await exported("format=csv&bom=1&tz=local&fromWxId=wxid_excel");
    expect(page.subarray(0, 3).equals(UTF8_BOM)).toBe(true);
    const [row] = csvRecords(page.subarray(3).toString("utf8"));
    expect(row.fromNickName).toBe("张三的视频");
    expect(row.sendTime).toBe("2026-12-08T00:08:15+08:00");
    expect(row.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    const [json] = JSON.parse((await exported("format=json&tz=local&fromWxId=wxid_excel")).toString("utf8"));
    expect(json.sendTime).toBe("2026-12-08T00:08:15+08:00");

    // A script's default export: no BOM, UTC with milliseconds, as before.
    const script = await exported("format=csv&fromWxId=wxid_excel");
    expect(script.subarray(0, 3).equals(UTF8_BOM)).toBe(false);
    expect(csvRecords(script.toString("utf8"))[0].sendTime).toBe("2026-12-07T16:08:15.250Z");
  });

  it("refuses a zone it does not know the meaning of, naming tz", () => {
    expect(() => parseExportRequest(new URLSearchParams("tz=Asia/Tokyo"))).toThrow(/tz: must be utc or local/);
  });

  it("names the file after the days the user picked there, and with tz=local the time it was taken there too", () => {
    const takenAt = new Date("2026-12-07T16:08:15Z");
    const days = parseExportRequest(new URLSearchParams("format=csv&from=2026-12-01&to=2026-12-07"));
    expect(exportFileName(days, takenAt)).toBe("videos_from-2026-12-01_to-2026-12-07_2026-12-07T160815Z.csv");
    const page = parseExportRequest(new URLSearchParams("format=csv&bom=1&tz=local&from=2026-12-08&to=2026-12-08"));
    expect(exportFileName(page, takenAt)).toBe("videos_from-2026-12-08_to-2026-12-08_2026-12-08T000815+0800.csv");
  });
});
