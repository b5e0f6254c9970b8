// The archive job's name and key, shared by the statement that stores a video (lib/ingest) and
// the archive itself: one job per video and kind, however often it is queued.
import type { MediaKind } from "./sniff";

export const ARCHIVE_TASK = "media_archive";

export function archiveJobKey(videoId: string, kind: MediaKind): string {
  return `archive:${videoId}:${kind}`;
}
