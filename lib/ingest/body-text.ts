// A delivery's bytes as text PostgreSQL can hold: decoded as UTF-8, U+0000 replaced (text and
// jsonb cannot hold it), everything else kept exactly.

export function decode(body: Buffer): string {
  return new TextDecoder("utf-8", { ignoreBOM: false }).decode(body);
}

export function nulFree<T extends string | null>(text: T): T {
  return (text === null ? null : text.replaceAll("\0", "\uFFFD")) as T;
}

/** A parsed JSON value with U+0000 replaced in every string and key. */
export function withoutNul(value: unknown): unknown {
  if (typeof value === "string") return nulFree(value);
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k) as string, withoutNul(v)]));
  }
  return value;
}
