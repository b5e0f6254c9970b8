// Query parameters, wherever they come from (API, page query strings, the export command):
// every value is hostile until a zod schema says otherwise, and a refusal names each bad one.
import { z } from "zod";
import { DomainError } from "./shared/errors";

const MAX_TEXT = 256;

/** Trimmed text; empty or blank means absent (`FOO= npm start` must not turn a feature on with ""). */
export const trimmedText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A query parameter's text: trimmed, empty means absent, long values refused, not truncated. */
export const optionalText = trimmedText.pipe(z.string().max(MAX_TEXT, `at most ${MAX_TEXT} characters`).optional());

/** A whole number parameter; "abc" or "1.5" is refused with a reason, not coerced. */
export const wholeNumber = optionalText.transform((v) => (v === undefined ? undefined : Number(v)));

/** The first value of each known parameter; repeated or unknown parameters are ignored. */
export function firstValues(params: URLSearchParams, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, params.get(n) ?? undefined]));
}

export class ParamError extends DomainError {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super("invalid", "bad_parameters", message, { issues });
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

/** Parses the parameters `schema` names (the first value of each) or throws a ParamError. */
export function parseQuery<S extends z.ZodObject>(schema: S, params: URLSearchParams): z.infer<S> {
  return parseParams(schema, firstValues(params, Object.keys(schema.shape)));
}

