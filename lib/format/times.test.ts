import { createFormatter } from "next-intl";
import { describe, expect, it } from "vitest";
import { clockTime, relativeWords } from "./times";

const SHANGHAI = "Asia/Shanghai";
const formatter = (locale: "en" | "zh-CN", timeZone = SHANGHAI) => createFormatter({ locale, timeZone });
// 2026-12-08 00:08:15 in Shanghai is 2026-12-07 16:08:15 UTC.
const now = Date.parse("2026-12-07T16:08:15Z");
const minute = 60_000;

describe("relativeWords", () => {
  it("reads a moment a second or a few ago as just now (null), and older ones in words", () => {
    const zh = formatter("zh-CN");
    expect(relativeWords(zh, now - 3_000, now)).toBeNull();
    expect(relativeWords(zh, now - 5 * minute, now)).toBe("5分钟前");
    expect(relativeWords(formatter("en"), now - 5 * minute, now)).toBe("5 minutes ago");
  });

  it("never says 'in N minutes' for something that happened: a moment ahead of the clock is just now", () => {
    expect(relativeWords(formatter("zh-CN"), now + 10 * minute, now)).toBeNull();
    expect(relativeWords(formatter("en"), now + 3 * 3600_000, now)).toBeNull();
  });

  it("an upcoming moment (a next attempt) keeps its future", () => {
    expect(relativeWords(formatter("en"), now + 10 * minute, now, true)).toBe("in 10 minutes");
    expect(relativeWords(formatter("zh-CN"), now + 10 * minute, now, true)).toBe("10分钟后");
  });
});

describe("clockTime", () => {
  it("shows the clock time alone for a moment of today in the dashboard's zone, not the server's or UTC's", () => {
    // 23:48 on the 7th in UTC is 07:48 on the 8th in Shanghai: today there.
    expect(clockTime(formatter("zh-CN"), Date.parse("2026-12-07T23:48:00Z"), Date.parse("2026-12-08T01:00:00Z"), SHANGHAI)).toBe("07:48");
    // 00:05 in Shanghai is still the 7th in UTC, but it is today in the dashboard's zone.
    expect(clockTime(formatter("en"), Date.parse("2026-12-07T16:05:00Z"), now, SHANGHAI)).toBe("00:05");
  });

  it("adds the day when the moment is not today there, the year when not this year", () => {
    // 23:48 on the 7th in Shanghai, a few minutes before its midnight: yesterday at `now`.
    const lastNight = Date.parse("2026-12-07T15:48:00Z");
    expect(clockTime(formatter("zh-CN"), lastNight, now, SHANGHAI)).toBe("12月7日 23:48");
    expect(clockTime(formatter("en"), lastNight, now, SHANGHAI)).toBe("Dec 7, 23:48");
    // In UTC the same two moments share a day.
    expect(clockTime(formatter("en", "UTC"), lastNight, now, "UTC")).toBe("15:48");
    expect(clockTime(formatter("zh-CN"), Date.parse("2025-12-31T15:59:00Z"), now, SHANGHAI)).toBe("2025年12月31日 23:59");
  });
});
