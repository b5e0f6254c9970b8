// What the media code needs to know to fetch and keep files, and the upkeep of the store: kept
// files are content-addressed objects in the media store (store.ts); the media_files table maps
// (video, kind) to one. Objects no row refers to any more are collected here.
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { Db } from "../db/client";
import { config, type Config } from "../config";
import { writeBounded } from "./fetch-guard";
import type { MediaStore } from "./store";
import { mediaDir, tempPath as localTempPath } from "./store-local";
import { mediaStore } from "./stores";

export { mediaDir };

export type MediaOptions = {
  dataDir: string;
  allowedHosts: readonly string[];
  /** Absolute cap; a link's announced size tightens it. */
  maxBytes: number;
  timeoutMs: number;
  /** Where kept files live (MEDIA_STORE). */
  store: MediaStore;
};

export function mediaOptions(
  cfg: Pick<Config, "DATA_DIR" | "MEDIA_ALLOWED_HOSTS" | "MEDIA_MAX_BYTES" | "MEDIA_FETCH_TIMEOUT_MS"> = config(),
  store: MediaStore = mediaStore(),
): MediaOptions {
  return { dataDir: cfg.DATA_DIR, allowedHosts: cfg.MEDIA_ALLOWED_HOSTS, maxBytes: cfg.MEDIA_MAX_BYTES, timeoutMs: cfg.MEDIA_FETCH_TIMEOUT_MS, store };
}

/** A kept file: its object name in the store is its sha256. */
export type StoredMedia = { sha256: string; contentType: string; bytes: number };

/**
 * Removes the store's objects that no media_files row refers to any more (their events were
 * deleted by retention, or a delete could not remove them), leaving recent ones alone: an object
 * is stored just before its row is written. Returns how many were removed.
 */
export async function pruneMediaFiles(db: Db, store: MediaStore, { olderThanMs = 3600_000 } = {}): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  let batch: string[] = [];
  const sweep = async () => {
    const rows = await db.mediaFile.findMany({ where: { sha256: { in: batch } }, select: { sha256: true }, distinct: ["sha256"] });
    const used = new Set(rows.map((r) => r.sha256));
    for (const name of batch) {
      if (used.has(name)) continue;
      await store.delete(name);
      removed++;
    }
    batch = [];
  };
  for await (const object of store.list()) {
    if (object.modifiedAt.getTime() >= cutoff) continue;
    batch.push(object.name);
    if (batch.length >= 500) await sweep();
  }
  if (batch.length > 0) await sweep();
  return removed;
}

/** Writes a stream to a temporary file, refusing it past `maxBytes`; returns the file's path. */
export async function saveStream(body: Readable, dataDir: string, maxBytes: number): Promise<string> {
  const path = await tempPath(dataDir);
  try {
    await writeBounded(body, path, maxBytes);
    return path;
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

/** A fresh path under DATA_DIR/media/tmp (downloads and uploads are verified there whatever the store). */
export function tempPath(dataDir: string): Promise<string> {
  return localTempPath(mediaDir(dataDir));
}
