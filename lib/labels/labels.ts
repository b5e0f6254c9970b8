// Names operators give robots and conversations (issue 27): stored in `labels`, one row per
// (kind, key), set and cleared by people through PUT/DELETE .../label. A label is user text:
// pages render it as text (React escapes it), the export neutralises it like any other cell.
import type { Db } from "../db/client";
import { DomainError } from "../shared/errors";

export type LabelKind = "robot" | "conversation";

/** The same substring test as lib/videos/search's containsSql (which imports this module, so it is not imported here). */
const labelContains = (term: string) => `strpos(lower(label), lower(${term})) > 0`;

/**
 * Characters (code points, what PostgreSQL's char_length counts: the migration's CHECK agrees).
 * Long enough for a group's real name ("华东区 3 号店 · 售后客服群"), short enough to fit a card.
 */
export const LABEL_MAX_LENGTH = 64;

export class LabelError extends DomainError {}

/**
 * The label as it will be stored: trimmed, or null for "clear it" (blank). Refused: not a string,
 * over LABEL_MAX_LENGTH characters (`label_too_long`), or holding control characters (a NUL cannot
 * be stored; line breaks and tabs would break the one-line places a label is shown in).
 */
export function normaliseLabel(input: unknown): string | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== "string") throw new LabelError("invalid", "bad_label", "label must be a string");
  const label = input.trim();
  if (label === "") return null;
  const length = [...label].length;
  if (length > LABEL_MAX_LENGTH) {
    throw new LabelError("invalid", "label_too_long", `label is ${length} characters: at most ${LABEL_MAX_LENGTH}`, { maxLength: LABEL_MAX_LENGTH });
  }
  if (/[\u0000-\u001f\u007f]/.test(label)) throw new LabelError("invalid", "bad_label", "label must be one line without control characters");
  return label;
}

/** Whether the robot or conversation has been seen: labels name things the dashboard shows, not guesses. */
async function exists(db: Db, kind: LabelKind, key: string): Promise<boolean> {
  if (kind === "conversation") return (await db.conversationSummary.findUnique({ where: { conversationId: key }, select: { conversationId: true } })) !== null;
  return (await db.robotInstance.findFirst({ where: { robotId: key }, select: { robotId: true } })) !== null;
}

/**
 * Stores `input` as the label of (kind, key), or clears it when blank; returns what is stored now.
 * Throws not_found for a robot or conversation never seen, and the refusals of normaliseLabel.
 */
export async function setLabel(db: Db, kind: LabelKind, key: string, input: unknown): Promise<{ kind: LabelKind; key: string; label: string | null }> {
  const label = normaliseLabel(input);
  // A NUL cannot be in any stored id (PostgreSQL text refuses it): nothing by that key exists.
  if (key.includes("\0") || !(await exists(db, kind, key))) {
    throw new LabelError("not_found", "not_found", `no ${kind} ${JSON.stringify(key.slice(0, 80))}`);
  }
  if (label === null) return clearLabel(db, kind, key);
  await db.label.upsert({
    where: { kind_key: { kind, key } },
    create: { kind, key, label },
    update: { label, updatedAt: new Date() },
  });
  return { kind, key, label };
}

/** Removes the label of (kind, key), if any: clearing twice is no error. */
export async function clearLabel(db: Db, kind: LabelKind, key: string): Promise<{ kind: LabelKind; key: string; label: null }> {
  if (!key.includes("\0")) await db.label.deleteMany({ where: { kind, key } });
  return { kind, key, label: null };
}

/** The label of (kind, key), or null. */
export async function getLabel(db: Db, kind: LabelKind, key: string): Promise<string | null> {
  return (await db.label.findUnique({ where: { kind_key: { kind, key } }, select: { label: true } }))?.label ?? null;
}

/** The labels of `keys` (those that have one). */
export async function labelsOf(db: Db, kind: LabelKind, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db.label.findMany({ where: { kind, key: { in: [...new Set(keys)] } }, select: { key: true, label: true } });
  return new Map(rows.map((r) => [r.key, r.label]));
}

/**
 * SQL: `column` (a robotId or conversationId column) names something whose label contains the
 * term (bind parameter `term`), case-insensitively. The subquery scans `labels`, which people
 * fill by hand (tens to hundreds of rows): evaluated once per statement as a hashed subplan.
 */
export function labelMatchSql(kind: LabelKind, column: string, term: string): string {
  return `${column} IN (SELECT key FROM labels WHERE kind = '${kind === "robot" ? "robot" : "conversation"}' AND ${labelContains(term)})`;
}

/** The keys of `kind` whose label contains `q` (at most `max`). */
export async function keysLabelled(db: Db, kind: LabelKind, q: string, max = 2000): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ key: string }[]>(
    `SELECT key FROM labels WHERE kind = $1::label_kind AND ${labelContains("$2")} ORDER BY key LIMIT $3`,
    kind,
    q,
    max,
  );
  return rows.map((r) => r.key);
}
