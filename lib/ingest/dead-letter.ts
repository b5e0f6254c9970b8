// The dead letter: where the spool's drain puts a delivery that the database refuses even as a
// quarantined deliveries row (drain.ts), so that nothing spooled behind it waits. One file per
// delivery under DATA_DIR/dead-letter/ (0700, files 0600, like the spool: bodies hold media keys),
// in the spool's record format plus the error. `npm run quarantine` lists them;
// `npm run quarantine -- replay` stores them once the cause is fixed (scripts/quarantine.ts).
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { errorLine } from "../db/errors";
import { classify } from "./classify";
import type { SpoolRecord } from "./spool";
import { storeClassified } from "./store";

export const DEAD_LETTER_DIR = "dead-letter";

/** The database handle the store takes (whatever store.ts is written on). */
type StoreDb = Parameters<typeof storeClassified>[0];
const FILE = /^dead-[\w-]+\.json$/;

type DeadLetterFile = { k: string; t: number; b: string; c?: string; error: string };

/** Writes one record to its own file, fsync'd, under a name taken from its key; returns the path. */
export async function writeDeadLetter(dataDir: string, record: SpoolRecord, error: string): Promise<string> {
  const dir = join(dataDir, DEAD_LETTER_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const name = `dead-${record.key.replace(/[^\w-]/g, "_")}.json`;
  const content: DeadLetterFile = { k: record.key, t: record.receivedAt.getTime(), b: record.body.toString("base64"), c: record.contentType ?? undefined, error };
  // Written whole under a temporary name, then renamed: a listed file is always complete.
  const temporary = join(dir, `.${name}.tmp`);
  const file = await open(temporary, "w", 0o600);
  try {
    await file.writeFile(JSON.stringify(content) + "\n");
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, join(dir, name));
  return join(dir, name);
}

async function deadLetterNames(dataDir: string): Promise<string[]> {
  const names = await readdir(join(dataDir, DEAD_LETTER_DIR)).catch(() => [] as string[]);
  return names.filter((n) => FILE.test(n)).sort();
}

/** How many deliveries wait in dead-letter files. */
export async function countDeadLetters(dataDir: string): Promise<number> {
  return (await deadLetterNames(dataDir)).length;
}

export type DeadLetter = { file: string; key: string; receivedAt: Date; error: string };

/** The dead-letter files, oldest name first. */
export async function listDeadLetters(dataDir: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (const name of await deadLetterNames(dataDir)) {
    const { record, error } = await readDeadLetter(join(dataDir, DEAD_LETTER_DIR, name));
    letters.push({ file: name, key: record.key, receivedAt: record.receivedAt, error });
  }
  return letters;
}

async function readDeadLetter(path: string): Promise<{ record: SpoolRecord; error: string }> {
  const { k, t, b, c, error } = JSON.parse(await readFile(path, "utf8")) as DeadLetterFile;
  return { record: { key: k, receivedAt: new Date(t), body: Buffer.from(b, "base64"), contentType: c ?? null }, error };
}

/**
 * Stores every dead-letter delivery as the drain would have (its spool key, its arrival time,
 * answered 200), and deletes the file of each one stored. A delivery that still fails keeps its
 * file and is reported.
 */
export async function replayDeadLetters(db: StoreDb, dataDir: string): Promise<{ stored: number; failed: { file: string; error: string }[] }> {
  let stored = 0;
  const failed: { file: string; error: string }[] = [];
  for (const name of await deadLetterNames(dataDir)) {
    const path = join(dataDir, DEAD_LETTER_DIR, name);
    try {
      const { record } = await readDeadLetter(path);
      await storeClassified(db, classify(record.body), record.body, record.receivedAt, { spoolKey: record.key, answeredStatus: 200, contentType: record.contentType });
      await unlink(path);
      stored++;
    } catch (err) {
      failed.push({ file: name, error: errorLine(err) });
    }
  }
  return { stored, failed };
}
