// The process's media store, as configured (MEDIA_STORE and S3_*): see store.ts for the interface.
import { config, type Config } from "../config";
import type { MediaStore } from "./store";
import { LocalStore } from "./store-local";
import { S3Store } from "./store-s3";

export type StoreSettings = Pick<
  Config,
  "MEDIA_STORE" | "DATA_DIR" | "S3_ENDPOINT" | "S3_REGION" | "S3_BUCKET" | "S3_ACCESS_KEY_ID" | "S3_SECRET_ACCESS_KEY" | "S3_FORCE_PATH_STYLE" | "S3_PREFIX"
>;

export function createStore(cfg: StoreSettings): MediaStore {
  if (cfg.MEDIA_STORE === "s3") {
    return new S3Store({
      endpoint: cfg.S3_ENDPOINT,
      region: cfg.S3_REGION,
      bucket: cfg.S3_BUCKET ?? "",
      accessKeyId: cfg.S3_ACCESS_KEY_ID,
      secretAccessKey: cfg.S3_SECRET_ACCESS_KEY,
      forcePathStyle: cfg.S3_FORCE_PATH_STYLE,
      prefix: cfg.S3_PREFIX,
    });
  }
  return new LocalStore(cfg.DATA_DIR);
}

// Module-level, not on globalThis: the background work (instrumentation) and the routes are
// separate bundles, each with its own copy of the error classes; a store shared between them
// would throw errors the other bundle's handle() does not recognise (a 500 instead of a 503).
let store: MediaStore | undefined;

/** This bundle's store, as configured. */
export function mediaStore(): MediaStore {
  store ??= createStore(config());
  return store;
}
