// Why a medium cannot be had. Every refusal carries a machine reason (for the UI and scripts)
// and a one-line message a person can act on; the route maps the reason to a status.

export const MEDIA_FAILURE_STATUS = {
  /** The video id is unknown. */
  not_found: 404,
  /** The event has no link for this kind (no preview_img_url). */
  no_link: 404,
  /** The link's scheme, host, port or resolved address is not allowed. */
  host_not_allowed: 403,
  /** The CDN answered 404/403/410: WeChat links expire. */
  link_expired: 502,
  upstream_failed: 502,
  timeout: 504,
  too_large: 413,
  decryption_failed: 502,
  md5_mismatch: 502,
  /** The bytes are no video (or no image, for a preview) we can serve. */
  not_media: 502,
  unauthorized: 401,
} as const;

export type MediaFailure = keyof typeof MEDIA_FAILURE_STATUS;

export class MediaError extends Error {
  constructor(
    readonly reason: MediaFailure,
    message: string,
    /** Overrides the reason's status: an upload's bad bytes are the client's fault (422), not the CDN's. */
    private readonly statusOverride?: number,
  ) {
    super(message);
    this.name = "MediaError";
  }

  get status(): number {
    return this.statusOverride ?? MEDIA_FAILURE_STATUS[this.reason];
  }
}
