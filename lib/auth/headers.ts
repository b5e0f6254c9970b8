// The security headers every response carries. Pages get a Content-Security-Policy whose
// scripts come only from this origin or carry this request's nonce (Next adds it to its own);
// API answers (JSON, streams, media) get one that lets them be nothing but data.
import { randomBytes } from "node:crypto";

export type HeaderOptions = { nonce?: string; api: boolean; dev?: boolean; https?: boolean };

export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

export function contentSecurityPolicy({ nonce, api, dev }: HeaderOptions): string {
  if (api) return "default-src 'none'; img-src 'self'; media-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  const directives = [
    "default-src 'self'",
    // React's development build needs eval for its error overlays; production never does.
    `script-src 'self'${nonce ? ` 'nonce-${nonce}'` : ""}${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (widths of bars, positions) are harmless next to a strict script-src.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}

export function securityHeaders(options: HeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": contentSecurityPolicy(options),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    // Video pages link to CDN URLs and the media proxy: no Referer may carry ids or tokens away.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    // Other sites may not embed this site's media or JSON, even when the browser would send the cookie.
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  };
  if (options.https) headers["Strict-Transport-Security"] = "max-age=31536000";
  return headers;
}
