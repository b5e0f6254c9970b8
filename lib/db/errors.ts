// What a PostgreSQL error says about who is at fault, from its SQLSTATE class. One classifier
// for every caller: ingest (refuse the delivery, or spool it and retry) and the HTTP wrapper
// (400, 503 or 500) must not disagree about the same error.
import { PARTITION_BOUND_CHECK } from "./partition";

export type PgErrorKind =
  /** The data itself was refused (class 22 data exception, 23 integrity constraint, 54 program limit such as an index row too large): retrying the same values will not help. */
  | "data"
  /** The server cannot be had right now (no connection, shutting down, too many clients, out of disk, a query cancelled or timed out, a deadlock): retrying later may. */
  | "unavailable"
  /** Anything else: a bug, or an error that is not PostgreSQL's. */
  | "other";

const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

export function pgErrorKind(err: unknown): PgErrorKind {
  const code = sqlState(err);
  if (typeof code !== "string") return isConnectionFailure(err) || isPrismaUnavailable(err) ? "unavailable" : "other";
  if (/^(22|23|54)[0-9A-Z]{3}$/.test(code)) return "data";
  // 08 connection exception, 40 transaction rollback (a deadlock, a serialization failure: the
  // same statement succeeds later), 53 insufficient resources, 57 operator intervention
  // (shutdown, cannot connect now, a statement cancelled or over its timeout).
  if (/^(08|40|53|57)[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_CODES.has(code)) return "unavailable";
  return "other";
}

/** True when PostgreSQL refused the data itself; see PgErrorKind. */
export function isDataError(err: unknown): boolean {
  return pgErrorKind(err) === "data";
}

export type DeliveryFailure =
  /** The delivery's own: the database refused its values (22, 23, 54), or handling that one body threw a RangeError or TypeError (a stack overflow, say). It is refused or set aside, never retried. */
  | "own"
  /** The database or the connection (08, 40, 53, 57, timeouts, a refused or dropped connection): wait, and retry the same delivery. */
  | "retry"
  /** Neither: retried, and set aside if the same delivery fails the same way again (lib/ingest/drain.ts). */
  | "unknown";

/** What a failure while storing one delivery (or a group of them) says about it. */
export function deliveryFailure(err: unknown): DeliveryFailure {
  // The bound check a partition conversion adds for a while is no fault of the row: such a video
  // is spooled (answered 200) and replayed once the conversion is done or undone.
  if (constraintOf(err) === PARTITION_BOUND_CHECK) return "retry";
  const kind = pgErrorKind(err);
  if (kind === "data") return "own";
  if (kind === "unavailable") return "retry";
  // A RangeError or TypeError from preparing the statement's values, or from reading the body, is
  // about that body (one that carries a SQLSTATE is PostgreSQL's, classified above).
  if ((err instanceof RangeError || err instanceof TypeError) && sqlState(err) === undefined) return "own";
  return "unknown";
}

// pg reports a dropped, refused or timed-out connection as a plain Error without a code.
function isConnectionFailure(err: unknown): boolean {
  const message = err instanceof Error ? err.message : "";
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(message);
}

// Prisma Client wraps PostgreSQL's errors (P2010 for raw SQL, P20xx for the model API) with the
// SQLSTATE and message inside meta.driverAdapterError.cause; read through, they classify as pg's.

/** The driver adapter's names for a connection it could not make or keep (no SQLSTATE then). */
const UNAVAILABLE_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);
/**
 * Prisma's own codes for the same: P1001 cannot reach the server, P1002 timed out, P1008
 * operation timed out, P1017 server closed the connection, P2024 no pool connection in time,
 * P2028 a transaction could not start or ended in time.
 */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);

type AdapterCause = { kind?: string; code?: string; originalCode?: string; originalMessage?: string };

function adapterCause(err: unknown): AdapterCause | undefined {
  return (err as { meta?: { driverAdapterError?: { cause?: AdapterCause } } } | null)?.meta?.driverAdapterError?.cause;
}

/** PostgreSQL's SQLSTATE (or a socket's code) for an error from pg, or from Prisma Client wrapping one. */
export function sqlState(err: unknown): string | undefined {
  const cause = adapterCause(err);
  if (cause) return cause.originalCode ?? (cause.kind === "postgres" && cause.code !== "N/A" ? cause.code : undefined);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && !/^P\d{4}$/.test(code) ? code : undefined;
}

/**
 * The constraint a PostgreSQL error names: pg's own field; through Prisma (which keeps no such
 * field for a check violation), the one PostgreSQL's message quotes.
 */
export function constraintOf(err: unknown): string | undefined {
  const own = (err as { constraint?: unknown } | null)?.constraint;
  if (typeof own === "string") return own;
  return adapterCause(err)?.originalMessage?.match(/ constraint "((?:[^"]|"")+)"/)?.[1].replaceAll('""', '"');
}

function isPrismaUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const kind = adapterCause(err)?.kind;
  return (typeof code === "string" && UNAVAILABLE_PRISMA_CODES.has(code)) || (kind !== undefined && UNAVAILABLE_ADAPTER_KINDS.has(kind));
}

/**
 * One line saying what went wrong: PostgreSQL's own message when Prisma wrapped it (its message
 * starts with an "Invalid `prisma.x()` invocation:" header and quotes the cause further down).
 */
export function errorLine(err: unknown): string {
  const cause = adapterCause(err);
  if (cause?.originalMessage) return cause.originalMessage.split("\n")[0];
  const message = err instanceof Error ? err.message : String((err as { message?: unknown } | null)?.message ?? err);
  const line = message.split("\n").map((l) => l.trim()).find((l) => l && !/^Invalid `.*` invocation/.test(l)) ?? "";
  return line.match(/^Raw query failed\. Code: `[^`]*`\. Message: `(.*)`$/)?.[1] ?? line;
}
