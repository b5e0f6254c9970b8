import { describe, expect, it } from "vitest";
import { activePreset, asDay, dayIn, presetRange, rangeBounds, RANGE_PRESETS } from "./ranges";

const SHANGHAI = "Asia/Shanghai";
// 00:30 on 8 December in Shanghai, still 7 December in UTC.
const AFTER_MIDNIGHT = new Date("2026-12-07T16:30:00Z");

const bounds = (preset: (typeof RANGE_PRESETS)[number], now: Date, zone: string) => {
  const { start, end } = rangeBounds(presetRange(preset, now, zone), zone);
  return [start.toISOString(), end.toISOString()];
};

describe("presetRange", () => {
  it("begins today at 00:00 in the dashboard's zone, not UTC's", () => {
    expect(presetRange("today", AFTER_MIDNIGHT, SHANGHAI)).toEqual({ from: "2026-12-08", to: "2026-12-08" });
    expect(bounds("today", AFTER_MIDNIGHT, SHANGHAI)).toEqual(["2026-12-07T16:00:00.000Z", "2026-12-08T16:00:00.000Z"]);
    // The same instant in UTC is still the 7th.
    expect(presetRange("today", AFTER_MIDNIGHT, "UTC")).toEqual({ from: "2026-12-07", to: "2026-12-07" });
    // 23:30 in Shanghai on the 7th (15:30 UTC): still the 7th there.
    expect(presetRange("today", new Date("2026-12-07T15:30:00Z"), SHANGHAI)).toEqual({ from: "2026-12-07", to: "2026-12-07" });
  });

  it("yesterday, the last 7 and 30 days (today included)", () => {
    expect(presetRange("yesterday", AFTER_MIDNIGHT, SHANGHAI)).toEqual({ from: "2026-12-07", to: "2026-12-07" });
    expect(bounds("yesterday", AFTER_MIDNIGHT, SHANGHAI)).toEqual(["2026-12-06T16:00:00.000Z", "2026-12-07T16:00:00.000Z"]);
    expect(presetRange("last7Days", AFTER_MIDNIGHT, SHANGHAI)).toEqual({ from: "2026-12-02", to: "2026-12-08" });
    expect(bounds("last7Days", AFTER_MIDNIGHT, SHANGHAI)).toEqual(["2026-12-01T16:00:00.000Z", "2026-12-08T16:00:00.000Z"]);
    expect(presetRange("last30Days", AFTER_MIDNIGHT, SHANGHAI)).toEqual({ from: "2026-11-09", to: "2026-12-08" });
  });

  it("this month, at its boundaries", () => {
    // 00:30 on 1 December in Shanghai is 30 November in UTC: already December's first day there.
    const firstOfMonth = new Date("2026-11-30T16:30:00Z");
    expect(presetRange("thisMonth", firstOfMonth, SHANGHAI)).toEqual({ from: "2026-12-01", to: "2026-12-01" });
    expect(presetRange("thisMonth", firstOfMonth, "UTC")).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(bounds("thisMonth", firstOfMonth, SHANGHAI)).toEqual(["2026-11-30T16:00:00.000Z", "2026-12-01T16:00:00.000Z"]);
    // Yesterday and the last 7 days cross into the previous month (and year).
    expect(presetRange("yesterday", firstOfMonth, SHANGHAI)).toEqual({ from: "2026-11-30", to: "2026-11-30" });
    const newYear = new Date("2026-12-31T16:05:00Z"); // 00:05 on 1 January 2027 in Shanghai
    expect(presetRange("thisMonth", newYear, SHANGHAI)).toEqual({ from: "2027-01-01", to: "2027-01-01" });
    expect(presetRange("last7Days", newYear, SHANGHAI)).toEqual({ from: "2026-12-26", to: "2027-01-01" });
    // End of a month: the 31st of March, 23:59 in Shanghai.
    expect(presetRange("thisMonth", new Date("2027-03-31T15:59:00Z"), SHANGHAI)).toEqual({ from: "2027-03-01", to: "2027-03-31" });
    // A leap year: February has 29 days, so 29 days before 1 March is 1 February.
    expect(presetRange("last30Days", new Date("2028-03-01T04:00:00Z"), SHANGHAI)).toEqual({ from: "2028-02-01", to: "2028-03-01" });
  });

  it("counts calendar days where a day is not 24 hours long", () => {
    // 29 March 2026 is 23 hours long in Berlin.
    const now = new Date("2026-03-30T10:00:00Z");
    expect(presetRange("last7Days", now, "Europe/Berlin")).toEqual({ from: "2026-03-24", to: "2026-03-30" });
    expect(rangeBounds({ from: "2026-03-29", to: "2026-03-29" }, "Europe/Berlin")).toEqual({
      start: new Date("2026-03-28T23:00:00Z"),
      end: new Date("2026-03-29T22:00:00Z"),
    });
  });
});

describe("activePreset", () => {
  it("names the preset the URL's days match at now, else none", () => {
    expect(activePreset("2026-12-08", "2026-12-08", AFTER_MIDNIGHT, SHANGHAI)).toBe("today");
    expect(activePreset("2026-12-02", "2026-12-08", AFTER_MIDNIGHT, SHANGHAI)).toBe("last7Days");
    expect(activePreset("2026-12-07", "2026-12-07", AFTER_MIDNIGHT, SHANGHAI)).toBe("yesterday");
    // The same days in UTC's view of that instant are other presets.
    expect(activePreset("2026-12-07", "2026-12-07", AFTER_MIDNIGHT, "UTC")).toBe("today");
    // On the first of a month "today" and "this month" are the same days: "today" is named.
    expect(activePreset("2026-12-01", "2026-12-01", new Date("2026-12-01T04:00:00Z"), SHANGHAI)).toBe("today");
    expect(activePreset("2026-12-01", "2026-12-08", AFTER_MIDNIGHT, SHANGHAI)).toBe("thisMonth");
    expect(activePreset("2026-12-03", "2026-12-08", AFTER_MIDNIGHT, SHANGHAI)).toBeNull();
    expect(activePreset("2026-12-08", null, AFTER_MIDNIGHT, SHANGHAI)).toBeNull();
    expect(activePreset(null, null, AFTER_MIDNIGHT, SHANGHAI)).toBeNull();
  });
});

describe("dayIn and asDay", () => {
  it("reads the calendar day in the zone", () => {
    expect(dayIn(AFTER_MIDNIGHT, SHANGHAI)).toBe("2026-12-08");
    expect(dayIn(AFTER_MIDNIGHT, SHANGHAI, -8)).toBe("2026-11-30");
    expect(asDay("2026-12-08")).toBe("2026-12-08");
    expect(asDay("2026-12-08T10:00:00Z")).toBeUndefined();
    expect(asDay(undefined)).toBeUndefined();
  });
});
