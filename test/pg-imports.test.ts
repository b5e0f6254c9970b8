// Prisma Client is the data layer (docs/architecture.md, decision record 1): in lib/ and app/, only
// the files named there may import `pg` or `pg-copy-streams`, each for a reason Prisma cannot
// serve. Tests are not held to it (they may open a connection of their own to break it).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { expect, test } from "vitest";

const root = resolve(import.meta.dirname, "..");

/** The exceptions of decision record 1, each with its reason. */
const ALLOWED: Record<string, string> = {
  "lib/db/client.ts": "the pool itself, which Prisma Client is built on",
  "lib/db/embedded.ts": "creates the app's database before anything can connect to it",
  "lib/db/partition.ts": "session advisory lock across statements; catalog columns the adapter refuses (\"char\", void)",
  "lib/export/stream.ts": "COPY ... TO STDOUT",
  "lib/export/zip.ts": "one transaction on one connection for the zip: the COPY of videos.csv, then a cursor on the same snapshot",
  "lib/export/query.ts": "escapeLiteral for COPY's inlined values (COPY takes no bind parameters)",
  "lib/seed/videos.ts": "COPY ... FROM STDIN (the seed's bulk loader)",
  "lib/live/hub.ts": "LISTEN on a dedicated connection",
  "lib/forwarding/relay.ts": "LISTEN, session advisory locks per target, graphile-worker's pool",
  "lib/forwarding/sender-queries.ts": "a target's drain statements, on the connection that holds the target's session advisory lock",
  "lib/jobs/runner.ts": "graphile-worker takes a pg.Pool",
};

const IMPORTS_PG = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)["']pg(?:-copy-streams|-query-stream|-pool)?["']/;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|js|mjs)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((path) => !path.startsWith("lib/db/generated/"));
}

test("in lib/ and app/, only decision record 1's exceptions import pg", () => {
  const importing = [...sources("lib"), ...sources("app")].filter((path) => IMPORTS_PG.test(readFileSync(join(root, path), "utf8"))).sort();
  expect(importing.filter((path) => !(path in ALLOWED)), "import pg: take `db: Db` (lib/db/client.ts) instead").toEqual([]);
  // An exception whose file no longer imports pg leaves the list, so the record stays true.
  expect(Object.keys(ALLOWED).filter((path) => !importing.includes(path)), "no longer imports pg: remove from ALLOWED").toEqual([]);
});
