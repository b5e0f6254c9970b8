// The test set of one mutation run (see stryker.config.mjs): the suite's own configuration,
// limited to the tests beside the mutated folder.
import { defineConfig } from "vitest/config";
import base from "./vitest.config";

const domain = process.env.STRYKER_DOMAIN ?? "ingest";

// Stryker's vitest runner runs tests in worker threads, where process.umask() cannot be set: the
// test of new files under the server's umask cannot run there (it runs in `npm test`).
const cannotRunInThreads = ["lib/ingest/spool-umask.test.ts"];

export default defineConfig({
  ...base,
  test: { ...base.test, include: [`lib/${domain}/**/*.test.ts`], exclude: [...(base.test?.exclude ?? ["**/node_modules/**"]), ...cannotRunInThreads] },
});
