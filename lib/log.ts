// Structured JSON logs. Secrets are redacted by path, and URLs go through redactUrl first.
import pino from "pino";
import { config } from "./config";

export const log = pino({
  level: config().LOG_LEVEL,
  base: undefined,
  redact: {
    paths: ["*.aes_key", "*.auth_key", "*.token", "*.password", "*.authorization", "*.cookie", "headers.authorization", "headers.cookie", "headers[\"x-callback-token\"]"],
    censor: "[redacted]",
  },
});

/** A URL fit for a log line: the callback token and other credentials in the query are masked. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|api_token|password)=)[^&#]*/gi, "$1[redacted]");
}
