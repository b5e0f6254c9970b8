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

/**
 * Whether a JSON body nests arrays and objects deeper than `max`, in one pass over its bytes that
 * jumps over strings with a native search (a string's brackets do not count; in UTF-8 no byte of
 * a multi-byte character is a quote, a backslash or a bracket). Run before JSON.parse, so that
 * nothing that walks the parsed value recursively (the NUL copy above, zod, JSON.stringify into
 * jsonb, pg's prepareValue, a page showing the body) can be driven into a stack overflow: a 20004
 * with an array nested 6,000 deep overflowed JSON.stringify. Measured: 6 µs for the provider's
 * 3.5 kB example (classifying it takes 75 µs), 4 ms for 480 kB of small objects (JSON.parse: 29 ms),
 * 9 µs for a 1 MB string. Malformed JSON is left for JSON.parse to refuse.
 */
export function nestedDeeperThan(body: Buffer, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === QUOTE) {
      // To the closing quote: the next one not escaped by an odd run of backslashes.
      for (;;) {
        i = body.indexOf(QUOTE, i + 1);
        if (i < 0) return false;
        let k = i - 1;
        while (body[k] === BACKSLASH) k--;
        if ((i - 1 - k) % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
