// The address the login rate limit counts against: the TCP peer's (lib/auth/connection.ts),
// which no header can change. Behind a trusted reverse proxy (TRUST_PROXY=1) every connection
// comes from that proxy, so the last X-Forwarded-For entry (the address the proxy saw) is used.
import { currentConnection } from "./connection";

/** Request headers the proxy removes when no reverse proxy is trusted. */
export const UNTRUSTED_FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-proto", "x-real-ip", "forwarded"];

export function clientAddress(headers: Headers, trustProxy: boolean): string {
  const address = trustProxy ? headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() : currentConnection()?.remoteAddress;
  return address ? address.slice(0, 64) : "unknown";
}

export function isHttps(headers: Headers, url: string): boolean {
  return headers.get("x-forwarded-proto")?.split(",")[0].trim() === "https" || url.startsWith("https:");
}
