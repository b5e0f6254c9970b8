// Query parameters, wherever they come from (API, page query strings, the export command):
// every value is hostile until a zod schema says otherwise, and a refusal names each bad one.
import { z } from "zod";

const MAX_TEXT = 256;

/** Trimmed text; empty means absent; long values are refused, not truncated. */
export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
  .pipe(z.string().max(MAX_TEXT, `at most ${MAX_TEXT} characters`).optional());

/** A whole number parameter; "abc" or "1.5" is refused with a reason, not coerced. */
export const wholeNumber = optionalText.transform((v) => (v === undefined ? undefined : Number(v)));

/** The first value of each known parameter; repeated or unknown parameters are ignored. */
export function firstValues(params: URLSearchParams, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, params.get(n) ?? undefined]));
}

export class ParamError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Parses with `schema` or throws a ParamError whose message is one line naming each bad parameter. */
export function parseParams<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  throw new ParamError(`bad parameters: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}


/** An opaque paging cursor, decoded by `decode`; anything it cannot read is refused. */
export function cursorParam<T>(decode: (text: string) => T | null) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return undefined;
      const decoded = decode(v);
      if (decoded === null) {
        ctx.addIssue({ code: "custom", message: "malformed cursor: pass back nextCursor as received" });
        return z.NEVER;
      }
      return decoded;
    });
}

/** Page size: 1 to 500, 50 when absent. */
export const limitParam = wholeNumber.pipe(
  z.number({ error: "expected a number" }).int("expected a whole number").min(1, "must be 1 or more").max(500, "at most 500").default(50),
);

/** Parses the parameters `schema` names (the first value of each) or throws a ParamError. */
export function parseQuery<S extends z.ZodObject>(schema: S, params: URLSearchParams): z.infer<S> {
  return parseParams(schema, firstValues(params, Object.keys(schema.shape)));
}

/**
 * One page from rows fetched with LIMIT limit + 1: the extra row only says that another page
 * follows, and the last row shown is where it starts.
 */
export function pageFrom<R, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf: (last: R) => string) {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(map), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
