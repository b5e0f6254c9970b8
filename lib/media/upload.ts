// Storing a file that the provider's download API fetched onto the robot's machine: a script
// there PUTs the bytes, which are checked like a CDN download (decrypted if needed, md5 verified)
// and cached for the event.
import { rm, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { Db } from "../db/client";
import { secretsEqual } from "../auth/secrets";
import { isLoopbackHost, type Config } from "../config";
import { MediaError } from "./errors";
import type { MediaKind } from "./sniff";
import { adopt } from "./adopt";
import { recordMedia } from "./archive";
import { saveStream, type MediaOptions, type StoredMedia } from "./cache";
import { forgetFailure } from "./fetch-queue";
import { expectationsFor, mediaSource } from "./source";

/**
 * Throws unless an upload may proceed: with API_TOKEN set, `Authorization: Bearer <API_TOKEN>`
 * is required; with neither API_TOKEN nor DASHBOARD_PASSWORD the server only listens on loopback,
 * so anyone who can reach it is on this machine. A password without a token cannot be checked
 * here (sessions belong to the browser), so uploads then need API_TOKEN.
 */
export function authorizeUpload(authorization: string | null, cfg: Pick<Config, "API_TOKEN" | "DASHBOARD_PASSWORD" | "HOST">): void {
  if (cfg.API_TOKEN) {
    const given = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim() ?? "";
    if (!secretsEqual(given, cfg.API_TOKEN)) throw new MediaError("unauthorized", "uploads need `Authorization: Bearer <API_TOKEN>`");
    return;
  }
  if (cfg.DASHBOARD_PASSWORD || !isLoopbackHost(cfg.HOST)) {
    throw new MediaError("unauthorized", "uploads need API_TOKEN to be set on the server, and `Authorization: Bearer <API_TOKEN>`");
  }
}

const CLIENT_FAULT = "unprocessable";

/**
 * Stores an uploaded file as the video's `kind`, replacing what was cached. The body streams to
 * a temporary file (never held in memory); it marks (video, kind) archived. One cut short (fewer bytes than `declaredBytes`, or
 * a broken connection) or over the limit is refused, never stored truncated.
 */
export async function storeUpload(db: Db, videoId: string, kind: MediaKind, body: Readable, options: MediaOptions, declaredBytes?: number): Promise<StoredMedia> {
  const source = await mediaSource(db, videoId);
  const expected = expectationsFor(source, kind, options.maxBytes);
  const raw = await saveStream(body, options.dataDir, expected.maxBytes);
  try {
    const received = (await stat(raw)).size;
    if (declaredBytes !== undefined && received !== declaredBytes) {
      throw new MediaError("not_media", `the upload ended after ${received} of the ${declaredBytes} bytes announced`, "invalid");
    }
    const stored = await adopt(raw, expected, options.store).catch((err: unknown) => {
      if (err instanceof MediaError && err.reason === "link_expired") throw new MediaError("not_media", "the upload is no known video or image format", CLIENT_FAULT);
      if (err instanceof MediaError && err.reason !== "too_large") throw new MediaError(err.reason, err.message, CLIENT_FAULT);
      throw err;
    });
    await recordMedia(db, videoId, kind, stored, "upload");
    forgetFailure(options.dataDir, videoId, kind);
    return stored;
  } finally {
    await rm(raw, { force: true });
  }
}
