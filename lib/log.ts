// Structured JSON logs. Secrets are redacted by path, and every string field, message and error
// goes through redactText, so neither a URL carrying the callback token nor a quoted payload
// fragment carrying media keys reaches a log line whole.
import pino from "pino";
import { config } from "./config";
import { errorLine, sqlState } from "./db/errors";

export function createLogger(destination?: pino.DestinationStream, level: string = config().LOG_LEVEL): pino.Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ["*.aes_key", "*.auth_key", "*.cdnAesKey", "*.token", "*.password", "*.authorization", "*.cookie", "headers.authorization", "headers.cookie", "headers[\"x-callback-token\"]", "headers[\"set-cookie\"]"],
        censor: "[redacted]",
      },
      formatters: {
        log: (fields) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? redactText(v) : v])),
      },
      serializers: {
        // Callers also log `err: errorSummary(e)`, a one-line string: kept as that string.
        err: (err: Error | string) => {
          if (typeof err === "string") return redactText(err);
          const shown = pino.stdSerializers.err(err);
          return { ...shown, message: redactText(shown.message ?? ""), stack: shown.stack && redactText(shown.stack) };
        },
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === "string" ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

// Written synchronously: a callback's line is in stdout before its 200 is sent, so no answered
// callback goes unlogged when the process ends, even by SIGKILL. pino's default destination
// buffers and writes later (lines still buffered at a kill are lost; a write in flight at
// process.exit can be too). A few microseconds per line at the rates this server takes.
export const log = createLogger(pino.destination({ dest: 1, sync: true }));

/** A URL fit for a log line: the callback token and other credentials in the query are masked. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|api_token|password)=)[^&#\s"']*/gi, "$1[redacted]");
}

/** Free text fit for a log line: URL credentials masked, and media keys in quoted JSON fragments. */
export function redactText(text: string): string {
  return redactUrl(text).replace(/("(?:aes_key|auth_key)"\s*:\s*")[^"]*("?)/g, "$1[redacted]$2");
}

/** An error's one-line cause, for logs: never the data it was about. */
export function errorSummary(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return errorSummary(err.errors[0]);
  // Prisma Client's errors carry PostgreSQL's code and message inside (lib/db/errors.ts).
  const code = sqlState(err) ?? (err as { code?: string } | null)?.code;
  const message = errorLine(err);
  return code ? `${code}: ${message}` : message;
}
