// What a PostgreSQL error says about who is at fault, from its SQLSTATE class. One classifier
// for every caller: ingest (reject the delivery, or spool it and retry) and the HTTP wrapper
// (400, 503 or 500) must not disagree about the same error.

export type PgErrorKind =
  /** The data itself was refused (class 22 data exception, 23 integrity constraint, 54 program limit such as an index row too large): retrying the same values will not help. */
  | "data"
  /** The server cannot be had right now (no connection, shutting down, too many clients, out of disk): retrying later may. */
  | "unavailable"
  /** Anything else: a bug, or an error that is not PostgreSQL's. */
  | "other";

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

export function pgErrorKind(err: unknown): PgErrorKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return isConnectionFailure(err) ? "unavailable" : "other";
  if (/^(22|23|54)[0-9A-Z]{3}$/.test(code)) return "data";
  // 08 connection exception, 53 insufficient resources, 57P01-57P05 shutdown / cannot connect now.
  if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-5]$/.test(code) || UNAVAILABLE_CODES.has(code)) return "unavailable";
  return "other";
}

/** True when PostgreSQL refused the data itself; see PgErrorKind. */
export function isDataError(err: unknown): boolean {
  return pgErrorKind(err) === "data";
}

// pg reports a dropped or refused connection as a plain Error without a code.
function isConnectionFailure(err: unknown): boolean {
  const message = err instanceof Error ? err.message : "";
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
