// The test set of one mutation run (see stryker.config.mjs): the suite's own configuration,
// limited to the tests beside the mutated folder.
import { defineConfig } from "vitest/config";
import base from "./vitest.config";

const domain = process.env.STRYKER_DOMAIN ?? "ingest";

export default defineConfig({ ...base, test: { ...base.test, include: [`lib/${domain}/**/*.test.ts`] } });
