// .env.example lists every variable the app reads (lib/config.ts) and every one the README's
// configuration table documents.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { CONFIG_VARIABLES } from "../lib/config";

const text = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8");

test(".env.example names every configuration variable", () => {
  const listed = new Set([...text(".env.example").matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  const readme = text("README.md");
  const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Commands"));
  const documented = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)`(?:, `([A-Z][A-Z0-9_]+)`)?(?:, `([A-Z][A-Z0-9_]+)`)?/gm)].flatMap((m) => m.slice(1).filter(Boolean));
  expect(documented.length).toBeGreaterThan(10);
  for (const name of [...CONFIG_VARIABLES, ...documented]) expect(listed.has(name), `${name} missing from .env.example`).toBe(true);
});
