// The browser tests' fixtures: the server started by global-setup.ts, and a direct line to its
// database for checking what a user's action stored.
import { createPool, type Pool } from "../lib/db/client";
import { readFileSync } from "node:fs";
import { test as base, expect } from "@playwright/test";

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

export { expect };
