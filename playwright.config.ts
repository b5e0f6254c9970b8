import { defineConfig } from "@playwright/test";

// Chromium comes from the system (scripts/ensure-chromium.sh): Playwright's own download is
// not reachable everywhere. These flags keep it from calling out to a closed network.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  // Every wait is for a condition, so a generous limit costs a passing test nothing; 5 s was not
  // enough on two cores loaded to 14 (a delete's redirect took longer beside `npm run load`).
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
