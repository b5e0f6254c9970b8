// Numbered placeholders for hand-built SQL: every value travels as a bind parameter.

/** Appends `value` to `params` and returns its placeholder (`$1`, `$2`, ...). */
export function bind(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}
