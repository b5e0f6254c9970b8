// Both languages carry every message: a key missing (or with other placeholders) in either fails.
// Keys used in code are checked against the English file by typecheck (i18n/types.d.ts).
import { describe, expect, it } from "vitest";
import en from "../../messages/en.json";
import zh from "../../messages/zh-CN.json";
import { negotiateLocale } from "./locale";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [[`${prefix}${k}`, v]] : Object.entries(flatten(v, `${prefix}${k}.`)))),
  );
}

/** The names an ICU message interpolates: {name}, {count, plural, ...}, <tag>. */
function placeholders(message: string): string[] {
  const names = [...message.matchAll(/\{\s*([A-Za-z_]\w*)\s*[,}]/g), ...message.matchAll(/<([A-Za-z_]\w*)>/g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

describe("messages", () => {
  const english = flatten(en);
  const chinese = flatten(zh);

  it("has every key in both languages", () => {
    expect(Object.keys(chinese).filter((k) => !(k in english))).toEqual([]);
    expect(Object.keys(english).filter((k) => !(k in chinese))).toEqual([]);
    expect(Object.entries({ ...english, ...chinese }).filter(([, v]) => v.trim() === "")).toEqual([]);
  });

  it("uses the same placeholders in both languages", () => {
    const differing = Object.keys(english).filter((k) => k in chinese && placeholders(english[k]).join() !== placeholders(chinese[k]).join());
    expect(differing).toEqual([]);
  });
});

describe("negotiateLocale", () => {
  it("takes the cookie first, then Accept-Language by weight, then English", () => {
    expect(negotiateLocale("zh-CN,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(negotiateLocale("zh-TW")).toBe("zh-CN");
    expect(negotiateLocale("fr-FR,en;q=0.5,zh;q=0.6")).toBe("zh-CN");
    expect(negotiateLocale("en-US,en;q=0.9")).toBe("en");
    expect(negotiateLocale("fr, de")).toBe("en");
    expect(negotiateLocale(null)).toBe("en");
    expect(negotiateLocale("zh-CN", "en")).toBe("en");
    expect(negotiateLocale("en", "zh-CN")).toBe("zh-CN");
    expect(negotiateLocale("zh", "klingon")).toBe("zh-CN");
  });
});
