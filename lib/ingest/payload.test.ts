import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classify } from "./classify";

const example = readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8");
const exampleObject = () => JSON.parse(example);
const body = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));

function video(value: unknown) {
  const result = classify(body(value));
  if (result.kind !== "video") throw new Error(`expected a video, got ${JSON.stringify(result)}`);
  return result.envelope;
}

function rejection(value: unknown) {
  const result = classify(body(value));
  if (result.kind !== "rejected") throw new Error(`expected a rejection, got ${result.kind}`);
  return result;
}

describe("the 20004 schema", () => {
  it("accepts the provider's own example, every field typed", () => {
    const e = video(example);
    expect(e.event).toBe("20004");
    expect(e.time?.toISOString()).toBe("2024-09-20T10:03:47.676Z");
    expect(e.data).toMatchObject({
      instanceId: "97554f7c82a1439c86df3143ef4975c5",
      robotId: "string",
      localId: "7053704521966022857",
      fromWxId: "test",
      fromNickName: "好友昵称",
      duration: 3,
      width: 224,
      height: 398,
      cdnType: 1,
      messageSource: 0,
      messageType: 103,
      isPc: 0,
    });
    expect(e.data.sendTime?.getTime()).toBe(1726826627676);
    expect(e.data.cdnData).toMatchObject({ md5: "25a0c03336d8193ba574ca4293403003", size: 120722, preview_img_size: 5765, width: 90, height: 120 });
  });

  it.each(["robotId", "cdnData", "cdnType", "height", "width", "duration", "messageSource"])("refuses a payload without %s, naming the path", (field) => {
    const payload = exampleObject();
    delete payload.data[field];
    const r = rejection(payload);
    expect(r.issues).toContainEqual({ path: `data.${field}`, message: "required" });
    expect(r.error).toContain(`data.${field}: required`);
    expect(r.error).not.toContain("\n");
  });

  it("refuses a video without its CDN url", () => {
    const payload = exampleObject();
    delete payload.data.cdnData.url;
    expect(rejection(payload).issues).toEqual([{ path: "data.cdnData.url", message: "required" }]);
  });

  it.each([
    ["duration", "three", "expected an integer"],
    ["duration", 2.5, "expected an integer"],
    ["width", true, "expected an integer"],
    ["fromWxId", 42, "expected a string"],
    ["cdnData", "not an object", "expected an object"],
  ])("refuses %s = %j", (field, value, message) => {
    const payload = exampleObject();
    payload.data[field] = value;
    expect(rejection(payload).issues).toContainEqual({ path: `data.${field}`, message });
  });

  it("reads times below 10^12 as seconds", () => {
    const payload = exampleObject();
    payload.time = 1726826627;
    payload.data.sendTime = 1726826627;
    const e = video(payload);
    expect(e.time?.toISOString()).toBe("2024-09-20T10:03:47.000Z");
    expect(e.data.sendTime?.toISOString()).toBe("2024-09-20T10:03:47.000Z");
  });

  it("accepts integers sent as numeric strings and a numeric event code", () => {
    const payload = exampleObject();
    payload.event = 20004;
    payload.data.duration = "12";
    expect(video(payload).data.duration).toBe(12);
  });

  it("keeps fields it does not know, in data, cdnData and the envelope", () => {
    const payload = exampleObject();
    payload.extra = 1;
    payload.data.newField = "kept";
    payload.data.cdnData.thumb = "kept too";
    const e = video(payload) as Record<string, unknown> & { data: Record<string, unknown> & { cdnData: Record<string, unknown> } };
    expect(e.extra).toBe(1);
    expect(e.data.newField).toBe("kept");
    expect(e.data.cdnData.thumb).toBe("kept too");
  });

  it("treats another event code as another event, whatever its data", () => {
    expect(classify(body({ event: "20002", data: { anything: true } }))).toEqual({ kind: "other_event", eventCode: "20002" });
    expect(classify(body({ event: 99999, data: null }))).toEqual({ kind: "other_event", eventCode: "99999" });
  });

  it.each([
    ["", "empty body"],
    ["   ", "empty body"],
    ["not json", "body is not JSON"],
    ["[1,2]", "not a JSON object (got an array)"],
    ["null", "not a JSON object (got null)"],
    ['"text"', "not a JSON object (got string)"],
    ['{"data":{}}', "invalid envelope: event"],
  ])("refuses the body %j with a one-line reason", (text, reason) => {
    const r = rejection(text);
    expect(r.error).toContain(reason);
    expect(r.error).not.toContain("\n");
  });
});

describe("a robot id", () => {
  const withRobot = (robotId: unknown, event = "20004") => {
    const payload = exampleObject();
    payload.event = event;
    payload.data.robotId = robotId;
    return classify(body(payload));
  };

  it.each(["wxid_8x7k2m9p4q1r22", "robot-01", "42", "a".repeat(64), "97554f7c-82a1-439c-86df-3143ef4975c5"])("accepts %j on a video and on another event", (robotId) => {
    expect(withRobot(robotId)).toMatchObject({ kind: "video", envelope: { data: { robotId } } });
    expect(withRobot(robotId, "30001")).toMatchObject({ kind: "other_event", robot: { robotId } });
  });

  it("takes a number for its digits", () => {
    expect(withRobot(42)).toMatchObject({ kind: "video", envelope: { data: { robotId: "42" } } });
    expect(withRobot(42, "30001")).toMatchObject({ kind: "other_event", robot: { robotId: "42" } });
  });

  it.each([
    ["a".repeat(65), "at most 64 characters"],
    ["x".repeat(10_000), "at most 64 characters"],
    ["<!channel>", "only letters, digits, _ and -"],
    ["@all", "only letters, digits, _ and -"],
    ["evil.example", "only letters, digits, _ and -"],
    ["[click](https://evil.example)", "only letters, digits, _ and -"],
    ["bot\u0000one", "only letters, digits, _ and -"],
    ["bot\nnext line", "only letters, digits, _ and -"],
    ["bot one", "only letters, digits, _ and -"],
    ["机器人", "only letters, digits, _ and -"],
    [1.5, "only letters, digits, _ and -"],
    [true, "expected a string"],
  ])("refuses %j on a video and on another event (400, kept in the deliveries log)", (robotId, message) => {
    for (const event of ["20004", "30001"]) {
      const r = withRobot(robotId, event);
      expect(r).toMatchObject({ kind: "rejected", issues: [{ path: "data.robotId", message }] });
      expect("robot" in r ? r.robot : undefined).toBeUndefined();
    }
  });

  it("an empty or absent robotId names no robot on another event, and is refused on a video", () => {
    expect(withRobot("", "30001")).toMatchObject({ kind: "other_event", robot: undefined });
    expect(withRobot(null, "30001")).toMatchObject({ kind: "other_event", robot: undefined });
    expect(withRobot("")).toMatchObject({ kind: "rejected", issues: [{ path: "data.robotId", message: "must not be empty" }] });
  });
});
