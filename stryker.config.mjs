// Mutation testing (npm run test:mutation): scripts/mutation.sh runs Stryker once per domain
// (STRYKER_DOMAIN=ingest|auth|media), each run mutating only that folder's sources and running
// only that folder's tests, one test process at a time: the machine has two shared cores.
const domain = process.env.STRYKER_DOMAIN ?? "ingest";
// A scoped run (`--mutate lib/ingest/spool.ts`) may name itself, so that it can run beside another
// run of the same folder: its own report and sandbox.
const run = process.env.STRYKER_RUN ?? domain;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: "vitest",
  // `related` finds no tests through the "@/" alias; vitest.mutation.config.ts scopes them instead.
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: [`lib/${domain}/**/*.ts`, `!lib/${domain}/**/*.test.ts`],
  coverageAnalysis: "perTest",
  concurrency: 1,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  ignorePatterns: [".next", "e2e", "test-results", "playwright-report", ".data", "reports", ".stryker-tmp"],
  reporters: ["clear-text", "progress-append-only", "json"],
  jsonReporter: { fileName: `reports/mutation/${run}.json` },
  tempDirName: `.stryker-tmp/${run}`,
  cleanTempDir: true,
};

export default config;
