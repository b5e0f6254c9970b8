// Written to kill mutants that survived the payload tests (docs/testing.md, "Mutation
// testing"): what counts as an integer sent as text, the seconds/milliseconds boundary, the
// wording that tells "missing" from "wrong type", and how a message's identity is chosen.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nestedDeeperThan } from "./body-text";
import { directionOf, LIMITS, messageKeyOf, type VideoData } from "./payload";
import { classify } from "./classify";

const example = () => JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const classifyWith = (edit: (payload: ReturnType<typeof example>) => void) => {
  const payload = example();
  edit(payload);
  return classify(Buffer.from(JSON.stringify(payload)));
};

describe("integers sent as text", () => {
  it.each([" 42 ", "42", "-0", "\t7\n"])("accepts %j", (width) => {
    const r = classifyWith((p) => (p.data.width = width));
    expect(r.kind).toBe("video");
  });

  it.each(["", " ", "0x10", "1e3", "12abc", "abc12", "4 2", "1.5"])("refuses %j, as not an integer", (width) => {
    const r = classifyWith((p) => (p.data.width = width));
    expect(r).toMatchObject({ kind: "rejected", issues: [{ path: "data.width", message: "expected an integer" }] });
  });
});

describe("times", () => {
  it("reads exactly 10^12 as milliseconds, and one less as seconds", () => {
    const at = (sendTime: number) => {
      const r = classifyWith((p) => (p.data.sendTime = sendTime));
      if (r.kind !== "video") throw new Error(r.kind);
      return r.envelope.data.sendTime?.toISOString();
    };
    expect(at(1e12)).toBe(new Date(1e12).toISOString());
    expect(at(1e12 - 1)).toBe(new Date((1e12 - 1) * 1000).toISOString());
  });
});

describe("messages that tell missing from wrong", () => {
  it("says 'expected a string' for a robotId of the wrong type, 'must not be empty' for an empty url", () => {
    expect(classifyWith((p) => (p.data.robotId = true))).toMatchObject({ issues: [{ path: "data.robotId", message: "expected a string" }] });
    expect(classifyWith((p) => (p.data.cdnData.url = ""))).toMatchObject({ issues: [{ path: "data.cdnData.url", message: "must not be empty" }] });
    expect(classifyWith((p) => (p.data.height = undefined))).toMatchObject({ issues: [{ path: "data.height", message: "required" }] });
  });

  it("takes an event code with spaces around it for what it is", () => {
    expect(classifyWith((p) => (p.event = " 20004 ")).kind).toBe("video");
    expect(classifyWith((p) => (p.event = 20004)).kind).toBe("video");
  });
});

describe("identity and direction", () => {
  const key = (serverId: unknown, localId: unknown) => messageKeyOf({ serverId, localId } as VideoData, () => "DIGEST");

  it("uses serverId, trimmed; then localId, trimmed; then a digest", () => {
    expect(key(" 123 ", "9")).toBe("123");
    expect(key("0", " 9 ")).toBe("local:9");
    expect(key(undefined, "9")).toBe("local:9");
    expect(key("", "0")).toBe("sha256:DIGEST");
    expect(key(null, "")).toBe("sha256:DIGEST");
    expect(key(" ", " ")).toBe("sha256:DIGEST");
    expect(key("", undefined)).toBe("sha256:DIGEST");
  });

  it("calls messageSource 1 'out' (sent by the robot) and anything else 'in'", () => {
    expect([0, 1, 2].map(directionOf)).toEqual(["in", "out", "in"]);
  });
});

describe("limits (docs/durability.md, Limits)", () => {
  it.each(["instanceId", "localId", "serverId", "conversationId", "fromWxId", "toWxId"])("an id, %s: 128 characters accepted, 129 refused, control characters refused", (field) => {
    expect(classifyWith((p) => (p.data[field] = "好".repeat(LIMITS.id))).kind).toBe("video");
    expect(classifyWith((p) => (p.data[field] = "x".repeat(LIMITS.id + 1)))).toMatchObject({ kind: "rejected", issues: [{ path: `data.${field}`, message: "at most 128 characters" }] });
    for (const control of ["\u0001", "\t", "\n", "\u001b", "\u007f", "\u0085"]) {
      expect(classifyWith((p) => (p.data[field] = `wxid${control}x`)), JSON.stringify(control)).toMatchObject({
        kind: "rejected",
        issues: [{ path: `data.${field}`, message: "must not contain control characters" }],
      });
    }
  });

  it.each([
    ["data.fromNickName", LIMITS.name],
    ["description", LIMITS.name],
    ["data.appInfo", LIMITS.long],
    ["data.cdnData.url", LIMITS.long],
    ["data.cdnData.preview_img_url", LIMITS.long],
    ["data.cdnData.file_name", LIMITS.name],
    ["data.cdnData.aes_key", LIMITS.name],
    ["data.cdnData.md5", LIMITS.name],
    ["data.cdnData.auth_key", LIMITS.key],
  ] as const)("a text, %s: %i characters accepted, one more refused", (path, max) => {
    const set = (value: string) => (p: Record<string, unknown>) => {
      const keys = path.split(".");
      const parent = keys.slice(0, -1).reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, p);
      parent[keys.at(-1)!] = value;
    };
    expect(classifyWith(set("好\t".repeat(max / 2))).kind).toBe("video");
    expect(classifyWith(set("x".repeat(max + 1)))).toMatchObject({ kind: "rejected", issues: [{ path, message: `at most ${max} characters` }] });
  });

  it("an event code is 1 to 8 digits (a number too), trimmed; anything else is an invalid envelope, kept without a code", () => {
    for (const event of ["20005", 20005, " 20005 ", "1", "12345678"]) expect(classifyWith((p) => (p.event = event)), String(event)).toMatchObject({ kind: "other_event", eventCode: String(event).trim() });
    for (const event of ["", "123456789", "2000a", "20 05", "-1", 1.5, 1e21, "२००४", "9".repeat(6000)]) {
      expect(classifyWith((p) => (p.event = event)), String(event).slice(0, 20)).toMatchObject({
        kind: "rejected",
        eventCode: null,
        issues: [{ path: "event", message: "expected an event code: 1 to 8 digits" }],
      });
    }
  });

  it("JSON nested 32 deep is read; 33 deep is refused unread, whatever the event", () => {
    const nested = (depth: number, event = "20004") => {
      const payload = example();
      payload.event = event;
      payload.data.extra = "__DEEP__";
      // The envelope and data are two levels: the rest is spliced in.
      return Buffer.from(JSON.stringify(payload).replace('"__DEEP__"', "[".repeat(depth - 2) + "]".repeat(depth - 2)));
    };
    expect(classify(nested(LIMITS.jsonDepth)).kind).toBe("video");
    expect(classify(nested(LIMITS.jsonDepth + 1))).toEqual({ kind: "rejected", eventCode: null, error: "body is JSON nested deeper than 32 levels: refused unread", issues: [] });
    expect(classify(nested(LIMITS.jsonDepth + 1, "20005"))).toMatchObject({ kind: "rejected", eventCode: null });
  });
});

describe("nestedDeeperThan: one pass, brackets in strings not counted", () => {
  it.each([
    ["{}", 1, false],
    ["{}", 0, true],
    ["[[],[[]]]", 3, false],
    ["[[],[[]]]", 2, true],
    ['{"a":"[[[[{{{{"}', 1, false],
    ['{"a":"\\"[[[["}', 1, false],
    ['{"a":"\\\\","b":[[]]}', 2, true],
    ['["\\u005b\\u005b"]', 1, false],
    ["[[[", 2, true],
    ["]]]]][[", 2, false],
    ['["\\\\\\"[[["]', 1, false],
    ['["\\\\"[[', 2, true],
    ['{"a":"unterminated [[[[', 1, false],
    ['["好[[", [["🐼"]]]', 3, false],
  ] as const)("%s within %i: %s", (text, max, deeper) => {
    expect(nestedDeeperThan(Buffer.from(text), max)).toBe(deeper);
  });
});
