// What the process creates in DATA_DIR once the server has set its umask (lib/jobs/background.ts) is
// private. A file of its own: process.umask() cannot be set in worker threads, where Stryker's
// vitest runner runs the tests, so mutation runs leave this one file out (vitest.mutation.config.ts).
import { stat } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useSpoolRoots } from "../../test/support/temp-spool";
import { Spool } from "./spool";

const spoolRoot = useSpoolRoots("private-new-");

describe("a private DATA_DIR", () => {
  it("creates new files private once the process umask is set (as the server does at start)", async () => {
    const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
    const previous = process.umask(0o077);
    try {
      const root = await spoolRoot();
      const spool = await Spool.open(root);
      await spool.append(Buffer.from("{}"), new Date());
      const [segment] = await spool.seal();
      expect(await mode(root)).toBe("700");
      expect(await mode(spool.dir)).toBe("700");
      expect(await mode(segment.path)).toBe("600");
      expect(await mode(`${spool.dir}/owner`)).toBe("600");
      await spool.close();
    } finally {
      process.umask(previous);
    }
  });
});
