// What a video's event says about its media: the links, the key, and the md5 and sizes the
// fetched or uploaded file must match.
import type { Pool } from "pg";
import { cdnStringSql } from "../shared/cdn-strings";
import { isBigintId } from "../shared/paging";
import { MediaError } from "./errors";
import type { MediaKind } from "./sniff";

export const MEDIA_KINDS = ["video", "preview"] as const satisfies readonly MediaKind[];

export function isMediaKind(kind: string): kind is MediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(kind);
}

export type MediaSource = {
  cdnUrl: string;
  cdnPreviewUrl: string | null;
  cdnAesKey: string | null;
  cdnMd5: string | null;
  cdnSize: number | null;
  cdnPreviewSize: number | null;
};

/** What is known about a video's media from its event; throws not_found for an unknown id. */
export async function mediaSource(db: Pool, videoId: string): Promise<MediaSource> {
  if (!isBigintId(videoId)) throw unknownVideo(videoId);
  const { rows } = await db.query<MediaSource>(
    `SELECT ${cdnStringSql("cdnUrl")} AS "cdnUrl", ${cdnStringSql("cdnPreviewUrl")} AS "cdnPreviewUrl", ${cdnStringSql("cdnAesKey")} AS "cdnAesKey",
            ${cdnStringSql("cdnMd5")} AS "cdnMd5", "cdnSize"::float8 AS "cdnSize", "cdnPreviewSize"::float8 AS "cdnPreviewSize"
       FROM video_events WHERE id = $1::bigint`,
    [videoId],
  );
  if (!rows[0]) throw unknownVideo(videoId);
  return rows[0];
}

export function unknownVideo(videoId: string): MediaError {
  return new MediaError("not_found", `no video with id ${JSON.stringify(videoId.slice(0, 40))}`);
}

/** The expectations a file for this kind must meet: the md5 and size announced are the video's. */
export function expectationsFor(source: MediaSource, kind: MediaKind, maxBytes: number) {
  const announced = kind === "video" ? source.cdnSize : source.cdnPreviewSize;
  return {
    aesKey: source.cdnAesKey,
    md5: kind === "video" ? source.cdnMd5 : null,
    kind,
    maxBytes: byteLimit(announced, maxBytes),
    announced,
  };
}

export type Expectations = ReturnType<typeof expectationsFor>;

/** The announced size plus a margin (AES padding, a provider rounding), never above the cap. */
export function byteLimit(announced: number | null, cap: number): number {
  if (!announced || announced <= 0) return cap;
  return Math.min(cap, announced + Math.max(64 * 1024, Math.ceil(announced * 0.1)));
}
