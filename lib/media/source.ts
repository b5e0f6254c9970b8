// What a video's event says about its media: the links, the key, and the md5 and sizes the
// fetched or uploaded file must match.
import type { Db } from "../db/client";
import { CDN_DATA_FROM_LATERAL, cdnStringOf, cdnStringSql } from "../shared/cdn-strings";
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
export async function mediaSource(db: Db, videoId: string): Promise<MediaSource> {
  if (!isBigintId(videoId)) throw unknownVideo(videoId);
  const row = await db.videoEvent.findUnique({
    where: { id: BigInt(videoId) },
    select: { cdnUrl: true, cdnPreviewUrl: true, cdnAesKey: true, cdnMd5: true, cdnSize: true, cdnPreviewSize: true, raw: true },
  });
  if (!row) throw unknownVideo(videoId);
  return {
    // A stored video always has its link (`url` is required of every payload that becomes one).
    cdnUrl: cdnStringOf(row.cdnUrl, row.raw, "cdnUrl") ?? "",
    cdnPreviewUrl: cdnStringOf(row.cdnPreviewUrl, row.raw, "cdnPreviewUrl"),
    cdnAesKey: cdnStringOf(row.cdnAesKey, row.raw, "cdnAesKey"),
    cdnMd5: cdnStringOf(row.cdnMd5, row.raw, "cdnMd5"),
    cdnSize: row.cdnSize === null ? null : Number(row.cdnSize),
    cdnPreviewSize: row.cdnPreviewSize === null ? null : Number(row.cdnPreviewSize),
  };
}

/**
 * The same as columns of a SELECT over video_events joined with CDN_DATA_LATERAL, for a statement
 * that reads them with something else (the archive's claim); mediaSourceOf turns its row into one.
 */
export const MEDIA_SOURCE_COLUMNS = [
  `${cdnStringSql("cdnUrl", CDN_DATA_FROM_LATERAL)} AS "cdnUrl"`,
  `${cdnStringSql("cdnPreviewUrl", CDN_DATA_FROM_LATERAL)} AS "cdnPreviewUrl"`,
  `${cdnStringSql("cdnAesKey", CDN_DATA_FROM_LATERAL)} AS "cdnAesKey"`,
  `${cdnStringSql("cdnMd5", CDN_DATA_FROM_LATERAL)} AS "cdnMd5"`,
  `video_events."cdnSize"::float8 AS "cdnSize"`,
  `video_events."cdnPreviewSize"::float8 AS "cdnPreviewSize"`,
].join(", ");

export type MediaSourceRow = { cdnUrl: string | null; cdnPreviewUrl: string | null; cdnAesKey: string | null; cdnMd5: string | null; cdnSize: number | null; cdnPreviewSize: number | null };

export function mediaSourceOf(row: MediaSourceRow): MediaSource {
  return {
    cdnUrl: row.cdnUrl ?? "",
    cdnPreviewUrl: row.cdnPreviewUrl,
    cdnAesKey: row.cdnAesKey,
    cdnMd5: row.cdnMd5,
    cdnSize: row.cdnSize === null ? null : Number(row.cdnSize),
    cdnPreviewSize: row.cdnPreviewSize === null ? null : Number(row.cdnPreviewSize),
  };
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
