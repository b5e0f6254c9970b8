// Where archived media are kept: a content-addressed object store, named by the file's sha256.
// Two implementations with one interface: the local disk (DATA_DIR/media, one instance) and any
// S3-compatible bucket (every instance shares it). Everything above this line (archiving,
// serving with Range, export, retention) speaks only this interface.
import type { Readable } from "node:stream";
import { MediaError } from "./errors";

/** An object in the store: its name (a sha256, 64 hex digits), its size, when it was written. */
export type StoredObject = { name: string; bytes: number; modifiedAt: Date };

/** Inclusive byte positions, as HTTP ranges are. */
export type ObjectRange = { start: number; end: number };

export type PutInfo = { contentType: string; bytes?: number };

export interface MediaStore {
  /** "local:/path/media" or "s3:bucket/prefix", for logs and health (no secrets). */
  readonly description: string;
  /**
   * Stores the file at `path` as `name`, whole or not at all (a reader never sees half an
   * object). The file may be moved rather than copied: the caller removes `path` if it is still
   * there. An existing object of that name is left as it is: a name is its content's sha256.
   */
  putFile(name: string, path: string, info: PutInfo): Promise<void>;
  /** Stores a stream as `name`, whole or not at all; multipart for large bodies. */
  put(name: string, body: Readable, info: PutInfo): Promise<void>;
  /** The object, or null when there is none (or, locally, when its bytes no longer match its name). */
  stat(name: string): Promise<StoredObject | null>;
  /** The object's bytes, or only `range` of them (a ranged read from the store, never the whole object). */
  read(name: string, range?: ObjectRange): Promise<Readable>;
  /** Removes the object; removing one that is not there is no error. */
  delete(name: string): Promise<void>;
  /** Every object, in no promised order. */
  list(): AsyncIterable<StoredObject>;
  /** Throws store_unavailable when the store cannot be reached now. */
  check(): Promise<void>;
}

const OBJECT_NAME = /^[0-9a-f]{64}$/;

/** Object names are sha256 digests: anything else is refused before it reaches a path or a key. */
export function checkObjectName(name: string): string {
  if (!OBJECT_NAME.test(name)) throw new Error(`not an object name (a sha256 in hex): ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}

export function isObjectName(name: string): boolean {
  return OBJECT_NAME.test(name);
}

/** The store cannot be reached or answered an error of its own: the request may be retried later. */
export function storeUnavailable(detail: string): MediaError {
  return new MediaError("store_unavailable", `the media store cannot be reached now (${detail}); try again shortly`);
}

