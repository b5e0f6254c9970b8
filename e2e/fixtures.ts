// The browser tests' fixtures: the server started by global-setup.ts, and a direct line to its
// database for checking what a user's action stored.
import { createPool, type Pool } from "../lib/db/client";
import { readFileSync } from "node:fs";
import { test as base, expect, type Browser, type Page } from "@playwright/test";

export const providerExample = JSON.parse(readFileSync(new URL("../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

let counter = 0;
/** The provider's example with its own identity, sender and conversation, so tests never collide. */
export function uniqueVideo(overrides: Record<string, unknown> = {}) {
  const tag = `${Date.now().toString(36)}${process.pid}${counter++}`;
  return {
    ...providerExample,
    time: Date.now(),
    data: {
      ...providerExample.data,
      serverId: `srv-${tag}`,
      localId: `loc-${tag}`,
      fromWxId: `wxid_${tag}`,
      fromNickName: `Sender ${tag}`,
      conversationId: `R:room-${tag}`,
      sendTime: Date.now(),
      ...overrides,
    },
  };
}

export const test = base.extend<{ db: Pool }>({
  baseURL: async ({}, use) => use(process.env.E2E_BASE_URL),
  db: async ({}, use) => {
    const pool = createPool(process.env.E2E_DATABASE_URL!, 2);
    await use(pool);
    await pool.end();
  },
});

/**
 * The header a state-changing API call from a script needs to say it comes from the dashboard's
 * own origin, as a browser's fetch does (lib/auth/access.ts refuses cross-site writes).
 */
export const sameOrigin = (baseURL: string | undefined) => ({ origin: baseURL ?? "" });

/**
 * A page in a context of its own (`locale`, `viewport`, the server at `baseURL`), for specs that
 * look at one server in several languages and widths; `clipboard`: the page may read and write it.
 */
export async function openPage(browser: Browser, { locale, baseURL, viewport = { width: 1440, height: 900 }, clipboard = false }: { locale: string; baseURL: string; viewport?: { width: number; height: number }; clipboard?: boolean }) {
  const context = await browser.newContext({ locale, viewport, baseURL });
  if (clipboard) await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const page = await context.newPage();
  return { page, close: () => context.close() };
}

/** No sideways scrolling: the page is no wider than the screen. */
export async function expectFitsWidth(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

export { expect };
