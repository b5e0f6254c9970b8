import { describe, expect, it } from "vitest";
import { parseConfig, parseDuration } from "./config";

describe("the operators' settings", () => {
  it("reads durations, the time zone and the alert webhook, and refuses what it cannot use", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("soon")).toBeNull();
    const cfg = parseConfig({ TZ: "Asia/Shanghai", ROBOT_SILENT_AFTER: "2h", ALERT_WEBHOOK_URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", ALERT_WEBHOOK_FORMAT: "wecom" });
    expect(cfg).toMatchObject({ TZ: "Asia/Shanghai", ROBOT_SILENT_AFTER: 7_200_000, ALERT_WEBHOOK_FORMAT: "wecom" });
    expect(parseConfig({})).toMatchObject({ ROBOT_SILENT_AFTER: 1_800_000, ALERT_WEBHOOK_FORMAT: "generic" });
    expect(parseConfig({}).TZ).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(parseConfig({ TZ: ":/etc/localtime" }).TZ).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(() => parseConfig({ TZ: "Mars/Olympus" })).toThrow(/TZ: unknown time zone/);
    expect(() => parseConfig({ ROBOT_SILENT_AFTER: "30" })).toThrow(/ROBOT_SILENT_AFTER: expected a duration/);
    expect(() => parseConfig({ ROBOT_SILENT_AFTER: "0s" })).toThrow(/ROBOT_SILENT_AFTER/);
    expect(() => parseConfig({ ALERT_WEBHOOK_FORMAT: "teams" })).toThrow(/ALERT_WEBHOOK_FORMAT/);
    expect(() => parseConfig({ ALERT_WEBHOOK_URL: "ftp://x" })).toThrow(/ALERT_WEBHOOK_URL/);
  });
});
