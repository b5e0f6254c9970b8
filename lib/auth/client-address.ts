// The address the login rate limit counts against.
//
// `next start` fills X-Forwarded-For with the connection's address only when the request did
// not bring one, so a client could name any address it likes. Unless TRUST_PROXY is set, the
// proxy therefore deletes the header the client sent (see proxy.ts), and what reaches the route
// handlers is the connection's own address. Behind a trusted reverse proxy, its last entry is
// the address that proxy saw.

/** Request headers the proxy removes when no reverse proxy is trusted. */
export const UNTRUSTED_FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-proto", "x-real-ip", "forwarded"];

export function clientAddress(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  return last ? last.slice(0, 64) : "unknown";
}

export function isHttps(headers: Headers, url: string): boolean {
  return headers.get("x-forwarded-proto")?.split(",")[0].trim() === "https" || url.startsWith("https:");
}
