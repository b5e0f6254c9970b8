// Why a medium cannot be had. Every refusal carries a machine reason (its `code`, for the UI and
// scripts) and a one-line message a person can act on; the HTTP wrapper maps its kind to a status.
import { DomainError, type ErrorKind } from "../shared/errors";

export const MEDIA_FAILURE_KIND = {
  /** The video id is unknown. */
  not_found: "not_found",
  /** The event has no link for this kind (no preview_img_url). */
  no_link: "not_found",
  /** The link's scheme, host, port or resolved address is not allowed. */
  host_not_allowed: "forbidden",
  /** The CDN answered 404/403/410: WeChat links expire. */
  link_expired: "upstream",
  upstream_failed: "upstream",
  timeout: "upstream_timeout",
  too_large: "too_large",
  decryption_failed: "upstream",
  md5_mismatch: "upstream",
  /** The bytes are no video (or no image, for a preview) we can serve. */
  not_media: "upstream",
  unauthorized: "unauthorized",
  /** The media store (local disk or S3) cannot be reached or refused a request: try again later. */
  store_unavailable: "unavailable",
} as const satisfies Record<string, ErrorKind>;

export type MediaFailure = keyof typeof MEDIA_FAILURE_KIND;

export class MediaError extends DomainError {
  /** For upstream_failed: the CDN's HTTP status, when it answered one (408, 429 and 5xx are worth retrying; other 4xx are not). */
  upstreamStatus?: number;

  constructor(
    readonly reason: MediaFailure,
    message: string,
    /** Overrides the reason's kind: an upload's bad bytes are the client's fault (unprocessable), not the CDN's. */
    kind?: ErrorKind,
  ) {
    // `reason` stays in the body too: the media components and scripts read it.
    super(kind ?? MEDIA_FAILURE_KIND[reason], reason, message, { reason });
  }
}
