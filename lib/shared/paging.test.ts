import { expect, test } from "vitest";
import { ParamError } from "../params";
import {
  decodeRankKeyCursor,
  decodeTimeIdCursor,
  decodeTimeKeyCursor,
  encodeRankKeyCursor,
  encodeTimeIdCursor,
  encodeTimeKeyCursor,
  isBigintId,
  parsePage,
  parseSummaryQuery,
} from "./paging";

const b64 = (text: string) => Buffer.from(text).toString("base64url");

test("a bigint id: digits up to PostgreSQL's largest bigint, nothing else", () => {
  for (const id of ["0", "1", "9223372036854775807", "0009"]) expect(isBigintId(id), id).toBe(true);
  for (const id of ["9223372036854775808", "99999999999999999999", "-1", "1.5", "1e3", " 1", "", "0x10", "١٢"]) expect(isBigintId(id), id).toBe(false);
});

test("both cursor formats read back what they wrote", () => {
  const time = new Date("2024-09-20T10:00:00.123Z");
  expect(decodeTimeIdCursor(encodeTimeIdCursor({ time, id: "9223372036854775807" }))).toEqual({ time, id: "9223372036854775807" });
  expect(decodeTimeKeyCursor(encodeTimeKeyCursor({ time, key: "R:1@chatroom, \"quoted\"" }))).toEqual({ time, key: "R:1@chatroom, \"quoted\"" });
});

test("a forged or damaged cursor is refused, never passed on to SQL", () => {
  for (const text of [b64("1:9223372036854775808"), b64("1:-1"), b64("x:1"), b64("1:1:1"), "not base64!", "A".repeat(101)]) {
    expect(decodeTimeIdCursor(text), text).toBeNull();
  }
  for (const text of [b64("[1]"), b64('[1.5,"k"]'), b64('[1,2]'), b64(JSON.stringify([1, "k".repeat(513)])), b64("{"), b64('[8640000000000001,"k"]')]) {
    expect(decodeTimeKeyCursor(text), text).toBeNull();
  }
});

test("page parameters: a bad cursor or limit is a ParamError naming it; absent means the first 50", () => {
  expect(parsePage(new URLSearchParams())).toEqual({ cursor: undefined, limit: 50 });
  expect(() => parsePage(new URLSearchParams("cursor=zzz"))).toThrow(/cursor: malformed cursor/);
  expect(() => parseSummaryQuery(new URLSearchParams("limit=501"))).toThrow(ParamError);
  expect(() => parseSummaryQuery(new URLSearchParams(`cursor=${encodeTimeIdCursor({ time: new Date(0), id: "1" })}`))).toThrow(/malformed cursor/);
});

test("the rank-and-key cursor (robots) reads back what it wrote and refuses anything else", () => {
  expect(decodeRankKeyCursor(encodeRankKeyCursor({ rank: 1, key: "wxid_abc-1" }))).toEqual({ rank: 1, key: "wxid_abc-1" });
  for (const text of [b64("[1]"), b64('[1.5,"k"]'), b64('[-1,"k"]'), b64('[10,"k"]'), b64('["1","k"]'), b64("[1,2]"), b64(JSON.stringify([0, "k".repeat(513)])), b64("{"), "not base64!", "A".repeat(1025)]) {
    expect(decodeRankKeyCursor(text), text).toBeNull();
  }
});
