import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installSecret, secretsEqual } from "./secrets";

const dir = mkdtempSync(join(tmpdir(), "auth-secret-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("secrets", () => {
  it("compares whole values, whatever their lengths", () => {
    expect(secretsEqual("s3cret", "s3cret")).toBe(true);
    expect(secretsEqual("s3cre", "s3cret")).toBe(false);
    expect(secretsEqual("s3cret!", "s3cret")).toBe(false);
    expect(secretsEqual("", "s3cret")).toBe(false);
  });

  it("keeps one private install secret in the data directory", () => {
    const first = installSecret(join(dir, "data"));
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(installSecret(join(dir, "data"))).toBe(first);
    expect(statSync(join(dir, "data", "session-secret")).mode & 0o777).toBe(0o600);
    expect(installSecret(join(dir, "other"))).not.toBe(first);
  });
});
