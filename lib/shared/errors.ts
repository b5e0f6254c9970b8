// Errors the domain raises on purpose. Each carries a machine-readable `code` (stable: scripts
// and the UI branch on it) and a `kind` that says whose fault it is; the HTTP wrapper
// (lib/http/responses.ts) turns the kind into a status, so lib/ itself knows no HTTP.

export const ERROR_KINDS = [
  /** The request is malformed or names bad values. */
  "invalid",
  "unauthorized",
  "forbidden",
  "not_found",
  /** The thing exists but is in no state for this (a delivery without its body). */
  "conflict",
  "too_large",
  /** Well-formed, but the content is refused (an upload that is no media, or fails its md5). */
  "unprocessable",
  /** Every slot is taken: retry later. */
  "busy",
  /** Something this server depends on answered badly (the CDN). */
  "upstream",
  "upstream_timeout",
  /** Something this server depends on cannot be had now (the database): retry later. */
  "unavailable",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    /** Extra fields for the error body, beside `error` and `code`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
