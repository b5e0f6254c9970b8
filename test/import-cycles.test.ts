// Modules in lib/ depend one way: a cycle fails this test, naming its files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";
import { importCycles, importGraph } from "./support/import-graph";

const root = resolve(import.meta.dirname, "..");

test("no import cycle in lib/", () => {
  const cycles = importCycles(importGraph(root, "lib"));
  expect(cycles).toEqual([]);
});

test("the check sees a cycle through an @/ path, a relative path and a type-only import", () => {
  const dir = mkdtempSync(join(tmpdir(), "cycles-"));
  try {
    mkdirSync(join(dir, "lib", "a"), { recursive: true });
    mkdirSync(join(dir, "lib", "b"), { recursive: true });
    writeFileSync(join(dir, "lib", "a", "one.ts"), `import { two } from "@/lib/b/two";\nexport const one = () => two;\n`);
    writeFileSync(join(dir, "lib", "b", "two.ts"), `import type { Three } from "./three";\nexport const two = 2 as Three;\n`);
    writeFileSync(join(dir, "lib", "b", "three.ts"), `import { one } from "../a/one";\nexport type Three = number;\nvoid one;\n`);
    writeFileSync(join(dir, "lib", "b", "leaf.ts"), `import { one } from "../a/one";\nvoid one;\n`);
    expect(importCycles(importGraph(dir, "lib"))).toEqual([["lib/a/one.ts", "lib/b/three.ts", "lib/b/two.ts"]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
