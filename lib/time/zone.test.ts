// The dashboard's one time zone, as operators in UTC+8 on a UTC server see it: a video sent at
// 01:30 in Shanghai (17:30 UTC the day before) belongs to the Shanghai day in every view.
process.env.TZ = "Asia/Shanghai";

import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { getOverview } from "../overview/summary";
import { postVideo } from "../../test/support/example-video";
import { parseVideoFilters } from "../videos/filters";
import { listVideos } from "../videos/list";
import { addDaysIn, dateOnlyIn, startOfDayIn } from "./zone";

const db = useTestDatabase();

describe("TZ=Asia/Shanghai", () => {
  it("counts a video sent at 2026-11-28T17:30:00Z in today on 2026-11-29, and from=2026-11-29 lists it", async () => {
    await postVideo(db.client, { fromWxId: "wxid_tz", sendTime: Date.parse("2026-11-28T17:30:00Z") });
    await postVideo(db.client, { fromWxId: "wxid_tz", sendTime: Date.parse("2026-11-28T15:30:00Z") }); // 23:30 on the 28th there

    const overview = await getOverview(db.client, new Date("2026-11-29T03:00:00Z"), "Asia/Shanghai");
    expect(overview.videosToday).toBe(1);
    expect(overview.daily.at(-1)).toEqual({ start: "2026-11-28T16:00:00.000Z", count: 1 });
    expect(overview.daily.at(-2)).toEqual({ start: "2026-11-27T16:00:00.000Z", count: 1 });

    const from = parseVideoFilters(new URLSearchParams("from=2026-11-29&fromWxId=wxid_tz"));
    expect(from.from?.toISOString()).toBe("2026-11-28T16:00:00.000Z");
    expect((await listVideos(db.client, from, { limit: 10 })).items.map((v) => v.sendTime)).toEqual(["2026-11-28T17:30:00.000Z"]);
    const to = parseVideoFilters(new URLSearchParams("to=2026-11-28&fromWxId=wxid_tz"));
    expect((await listVideos(db.client, to, { limit: 10 })).items.map((v) => v.sendTime)).toEqual(["2026-11-28T15:30:00.000Z"]);
  });

  it("knows days that are not 24 hours long", () => {
    expect(dateOnlyIn("2026-03-29", "Europe/Berlin", true).toISOString()).toBe("2026-03-29T21:59:59.999Z");
    expect(addDaysIn(new Date("2026-03-28T23:00:00Z"), 1, "Europe/Berlin").toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(startOfDayIn(new Date("2026-11-28T17:30:00Z"), "Asia/Shanghai").toISOString()).toBe("2026-11-28T16:00:00.000Z");
    expect(dateOnlyIn("2024-13-45", "Asia/Shanghai").getTime()).toBeNaN();
    expect(dateOnlyIn("2023-02-29", "Asia/Shanghai").getTime()).toBeNaN();
    expect(() => parseVideoFilters(new URLSearchParams("to=2024-13-45"))).toThrow(/not a date/);
  });
});
