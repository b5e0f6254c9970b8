// Written to kill mutants that survived the payload tests (docs/testing.md, "Mutation
// testing"): what counts as an integer sent as text, the seconds/milliseconds boundary, the
// wording that tells "missing" from "wrong type", and how a message's identity is chosen.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { directionOf, messageKeyOf, type VideoData } from "./payload";
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
