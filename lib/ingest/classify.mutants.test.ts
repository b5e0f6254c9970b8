// What classify() says about robots, long lists of faults and NULs inside arrays. Written against
// the mutants Stryker left alive in lib/ingest/classify.ts and body-text.ts (docs/testing.md).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classify } from "./classify";

const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));
const envelope = (data: unknown, event = "20005") => Buffer.from(JSON.stringify({ event, time: 1_700_000_000, data }));

describe("classify", () => {
  it("names the robot of any event: text or number ids; instance ids at most 200 characters; none without a robotId", () => {
    expect(classify(envelope({ robotId: "r1", instanceId: 7 }))).toMatchObject({ kind: "other_event", robot: { robotId: "r1", instanceId: "7" } });
    expect(classify(envelope({ robotId: 42, instanceId: "" }))).toMatchObject({ robot: { robotId: "42", instanceId: null } });
    expect(classify(envelope({ robotId: "x".repeat(64), instanceId: { no: 1 } }))).toMatchObject({ robot: { robotId: "x".repeat(64), instanceId: null } });
    expect(classify(envelope({ robotId: "r2", instanceId: "i".repeat(300) }))).toMatchObject({ robot: { robotId: "r2", instanceId: "i".repeat(200) } });
    for (const data of [{ robotId: "" }, { robotId: true }, { instanceId: "i" }, null, "text", [1]]) {
      const classified = classify(envelope(data));
      expect("robot" in classified ? classified.robot : undefined, JSON.stringify(data)).toBeUndefined();
    }
  });

  it("a body that is not JSON is rejected with no field issues", () => {
    expect(classify(Buffer.from("{not json"))).toEqual({ kind: "rejected", eventCode: null, error: expect.stringMatching(/^body is not JSON: /), issues: [] });
  });

  it("summarises five faults in full, and more as the first five and how many more", () => {
    const faults = (data: Record<string, unknown>) => {
      const c = classify(Buffer.from(JSON.stringify({ event: "20004", time: 1_700_000_000, data })));
      if (c.kind !== "rejected") throw new Error(`not rejected: ${JSON.stringify(c)}`);
      return c;
    };
    const many = faults({ robotId: [], cdnData: 5, messageSource: "a", cdnType: "b", width: "c", height: "d", duration: "e" });
    expect(many.issues.length).toBeGreaterThan(5);
    expect(many.error).toMatch(new RegExp(`; and ${many.issues.length - 5} more$`));
    expect(many.error.split("; ")).toHaveLength(6);
    // The provider's example with exactly five fields broken: all five are listed, nothing "more".
    const five = faults({ ...example.data, messageSource: "a", cdnType: "b", width: "c", height: "d", duration: "e" });
    expect(five.issues).toHaveLength(5);
    expect(five.error.split("; ")).toHaveLength(5);
    expect(five.error).not.toMatch(/more/);
  });

  it("replaces NUL in strings inside arrays too, keeping them arrays", () => {
    const c = classify(Buffer.from(JSON.stringify({ ...example, data: { ...example.data, extra: ["a\u0000b", ["c\u0000"]] } })));
    expect(c.kind).toBe("video");
    if (c.kind !== "video") return;
    expect((c.raw as { data: { extra: unknown } }).data.extra).toEqual(["a\uFFFDb", ["c\uFFFD"]]);
  });
});
