// One forward attempt: the body exactly as received, the provider's Content-Type, the delivery's
// id and, with a secret, an HMAC of the body. What the target answered decides what happens next.
import { createHmac } from "node:crypto";
import { redactTarget } from "./label";

export type Forward = { deliveryId: string; body: Buffer; contentType: string | null };

export type Attempt = {
  /** delivered: 2xx. retry: network error, timeout, 408, 429, 5xx. failed: any other answer. */
  verdict: "delivered" | "retry" | "failed";
  status: number | null;
  /** The first bytes of the answer, or why there was none. */
  answer: string;
  latencyMs: number;
};

/** How much of a target's answer is kept (the forwarding state shows it). */
export const ANSWER_PREFIX_BYTES = 512;

export function signature(body: Buffer, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function forwardHeaders(forward: Forward, secret: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": forward.contentType ?? "application/json",
    "x-delivery-id": forward.deliveryId,
  };
  if (secret) headers["x-signature-256"] = signature(forward.body, secret);
  return headers;
}

export function verdictFor(status: number): Attempt["verdict"] {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  return "failed";
}

/**
 * fetch refuses a URL with user:password@ (and quotes it, token and all, in its error): the
 * credentials go as HTTP basic authentication instead, as a browser or curl sends them.
 */
export function withoutCredentials(url: string): { url: string; authorization: string | null } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, authorization: null };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64");
  u.username = "";
  u.password = "";
  return { url: u.href, authorization: `Basic ${basic}` };
}

/** One attempt. The answer kept (and logged, and shown) has the URL's secret parts replaced (redactTarget). */
export async function sendForward(url: string, forward: Forward, options: { secret?: string; timeoutMs: number }): Promise<Attempt> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const target = withoutCredentials(url);
    const headers = forwardHeaders(forward, options.secret);
    if (target.authorization) headers.authorization = target.authorization;
    const res = await fetch(target.url, {
      method: "POST",
      headers,
      body: new Uint8Array(forward.body),
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const answer = await answerPrefix(res, url);
    return { verdict: verdictFor(res.status), status: res.status, answer, latencyMs: latency() };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason =
      e.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : e.cause?.code ? `${e.cause.code}: ${e.cause.message ?? e.message}` : e.message;
    return { verdict: "retry", status: null, answer: redactTarget(reason.split("\n")[0], url), latencyMs: latency() };
  }
}

/**
 * Reads at most ANSWER_PREFIX_BYTES of the answer (plus the URL's length, so that a secret cut at
 * the limit is still whole when redacted) and lets the rest go (the connection is reused).
 */
async function answerPrefix(res: Response, url: string): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  const limit = ANSWER_PREFIX_BYTES + url.length;
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const redacted = redactTarget(Buffer.concat(chunks).subarray(0, limit).toString("utf8"), url);
  return Buffer.from(redacted).subarray(0, ANSWER_PREFIX_BYTES).toString("utf8").replaceAll("\0", "\uFFFD");
}
