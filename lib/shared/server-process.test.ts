import { describe, expect, it } from "vitest";
import { SERVER_HEAP_LIMIT_MB, serverNodeOptions } from "./server-process";

describe("the server's Node options", () => {
  it("add the heap limit to the operator's own options", () => {
    expect(serverNodeOptions(undefined)).toBe(`--max-old-space-size=${SERVER_HEAP_LIMIT_MB}`);
    expect(serverNodeOptions(" --enable-source-maps ")).toBe(`--enable-source-maps --max-old-space-size=${SERVER_HEAP_LIMIT_MB}`);
  });

  it("leave an operator's own heap limit alone", () => {
    expect(serverNodeOptions("--max-old-space-size=2048")).toBe("--max-old-space-size=2048");
  });
});
