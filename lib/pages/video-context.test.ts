import { describe, expect, it } from "vitest";
import { NO_FILTERS } from "@/lib/videos/filters";
import { videoHref } from "@/lib/format/format";
import { backHref, contextFilters, contextQuery, parseVideoContext } from "./video-context";

const parse = (query: string) => parseVideoContext(new URLSearchParams(query));
/** The context a link made from `context` carries, read back as the video page reads it. */
const roundTrip = (query: string) => parse(new URL(videoHref("7", contextQuery(parse(query))), "http://x").search);

describe("a video page's context in its URL", () => {
  it("a conversation, with its order; ids with ':' and '@' survive the link", () => {
    const context = parse("in=conversation:R:123@chatroom&order=asc");
    expect(context).toEqual({ kind: "conversation", id: "R:123@chatroom", order: "asc" });
    expect(contextFilters(context)).toEqual({ ...NO_FILTERS, conversationId: "R:123@chatroom" });
    expect(roundTrip("in=conversation:R:123@chatroom&order=asc")).toEqual(context);
    expect(backHref(context)).toBe("/conversations/R%3A123%40chatroom?order=asc");
    expect(backHref(parse("in=conversation:S:wxid_a"))).toBe("/conversations/S%3Awxid_a");
  });

  it("a sender", () => {
    const context = parse("in=sender:wxid_abc");
    expect(contextFilters(context)).toEqual({ ...NO_FILTERS, fromWxId: "wxid_abc" });
    expect(roundTrip("in=sender:wxid_abc")).toEqual(context);
    expect(backHref(context)).toBe("/senders/wxid_abc");
  });

  it("a search on /videos with its filters and view, back to that same list", () => {
    const context = parse("in=videos&q=爱丽&direction=in&view=table&cursor=abc");
    expect(contextFilters(context)).toMatchObject({ q: "爱丽", direction: "in" });
    expect(roundTrip("in=videos&q=爱丽&direction=in&view=table&cursor=abc")).toEqual(context);
    // Back to the very page it was opened from (and where a delete lands): its cursor too.
    expect(backHref(context)).toBe(`/videos?q=${encodeURIComponent("爱丽")}&direction=in&view=table&cursor=abc`);
  });

  it("nothing, something unknown or a bad filter: every video, back to /videos", () => {
    for (const query of ["", "in=elsewhere:1", "in=conversation:", "in=videos&minDuration=-1"]) {
      const context = parse(query);
      expect(context).toEqual({ kind: "all" });
      expect(contextQuery(context)).toBe("");
      expect(backHref(context)).toBe("/videos");
    }
  });
});
