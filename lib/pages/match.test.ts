import { describe, expect, it } from "vitest";
import { highlightParts } from "./match";

const marked = (text: string, term?: string) => highlightParts(text, term).map((p) => (p.match ? `[${p.text}]` : p.text)).join("");

describe("highlighting the searched text", () => {
  it("marks every occurrence, ignoring case, keeping the text's own case", () => {
    expect(marked("wxid_AbC_abc", "abc")).toBe("wxid_[AbC]_[abc]");
    expect(marked("张伟🐼张伟", "张伟")).toBe("[张伟]🐼[张伟]");
    expect(marked("R:1_%@chatroom", "_%")).toBe("R:1[_%]@chatroom");
    expect(marked("a\\b", "\\")).toBe("a[\\]b");
  });

  it("leaves text alone without a term, without a match, or when case folding changes lengths", () => {
    expect(marked("wxid_abc")).toBe("wxid_abc");
    expect(marked("wxid_abc", "zz")).toBe("wxid_abc");
    expect(marked("İstanbul", "stan")).toBe("İstanbul");
    expect(highlightParts("", "a")).toEqual([{ text: "", match: false }]);
  });
});
