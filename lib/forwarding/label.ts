// How a relay target is named wherever it is shown, and what of its URL must never be shown.
// Chat robots' hook URLs carry their token in the path (Feishu's /bot/v2/hook/<token>), in the
// query (WeCom's ?key=, DingTalk's ?access_token=) or as user:password@: pages, the API, logs and
// metric labels show a target only by scheme, host and a short hash of the whole URL, or by the
// name the operator gave it in FORWARD_URLS (name=url).
import { createHash } from "node:crypto";
import { config, type ForwardTarget } from "../config";

/** The names given in this instance's FORWARD_URLS, by URL. */
function configuredNames(): ForwardTarget[] {
  return config().FORWARD_URLS;
}

/**
 * `name (scheme://host)` for a named target, `scheme://host #<8 hex>` otherwise: the hash (of the
 * whole URL, first 32 bits of SHA-256) tells apart two targets on one host and stays the same
 * across restarts and instances, without saying anything about the token.
 */
export function targetLabel(url: string, targets: ForwardTarget[] = configuredNames()): string {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
  const name = targets.find((t) => t.url === url)?.name;
  return name ? `${name} (${origin})` : `${origin} #${createHash("sha256").update(url).digest("hex").slice(0, 8)}`;
}

/** The parts of a target's URL that may be secret, longest first (also percent-decoded). */
function secretParts(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [url];
  }
  const parts = [url, u.href, u.pathname + u.search, u.search.slice(1), u.username, u.password];
  if (u.pathname.length > 1) parts.push(u.pathname);
  parts.push(...u.pathname.split("/").filter((s) => s.length >= 8));
  for (const [key, value] of u.searchParams) parts.push(`${key}=${value}`, value);
  const decoded = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return [...new Set([...parts, ...decoded])].filter((p) => p.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * `text` (a target's answer, an error message) with every secret-looking part of `url` replaced by
 * "…": a target that echoes the path it was asked ("Cannot POST /hook/<token>") or an error that
 * quotes the URL must not put the token into the outbox, the pages or the log.
 */
export function redactTarget(text: string, url: string): string {
  let out = text;
  for (const part of secretParts(url)) out = out.replaceAll(part, "…");
  return out;
}
