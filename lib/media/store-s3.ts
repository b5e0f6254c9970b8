// The media store in an S3-compatible bucket (AWS S3, MinIO, Aliyun OSS, Tencent COS), which
// every instance shares. Objects are `<S3_PREFIX><sha256>`; a PUT (or a multipart upload's
// completion) makes an object appear whole, so no reader ever gets half of one.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { MediaError } from "./errors";
import { checkObjectName, isObjectName, storeUnavailable, type MediaStore, type ObjectRange, type PutInfo, type StoredObject } from "./store";

export type S3Settings = {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  prefix: string;
};

/** Files up to this size go up in one PUT streamed from disk; larger ones in parts of PART_BYTES. */
const SINGLE_PUT_MAX = 16 * 1024 * 1024;
const PART_BYTES = 8 * 1024 * 1024;
/** Parts in flight per upload: with PART_BYTES, an upload holds at most ~16 MiB in memory. */
const PARTS_IN_FLIGHT = 2;

export class S3Store implements MediaStore {
  readonly description: string;
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.description = `s3:${settings.bucket}/${settings.prefix}`;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
      // Since SDK 3.729 uploads carry CRC trailers and downloads are checked against them by
      // default; Aliyun OSS, Tencent COS and most test servers refuse or mangle those.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // A store that is down must turn into a 503 within seconds, not after the SDK's patient retries.
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 5000, requestTimeout: 60_000 },
    });
  }

  private key(name: string): string {
    return `${this.settings.prefix}${checkObjectName(name)}`;
  }

  async putFile(name: string, path: string, info: PutInfo): Promise<void> {
    const key = this.key(name);
    if (await this.stat(name)) return;
    const bytes = info.bytes;
    if (bytes !== undefined && bytes <= SINGLE_PUT_MAX) {
      await this.call(() =>
        this.client.send(
          new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: createReadStream(path), ContentLength: bytes, ContentType: info.contentType }),
        ),
      );
      return;
    }
    await this.put(name, createReadStream(path), info);
  }

  async put(name: string, body: Readable, info: PutInfo): Promise<void> {
    // Keys are computed before any request: a bad name is the caller's bug, not the store being unavailable.
    const key = this.key(name);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: key, Body: body, ContentType: info.contentType },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      // An upload that fails part-way is aborted, so no incomplete parts are left to pay for.
      leavePartsOnError: false,
    });
    try {
      await this.call(() => upload.done());
    } finally {
      body.destroy();
    }
  }

  async stat(name: string): Promise<StoredObject | null> {
    const key = this.key(name);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { name, bytes: Number(head.ContentLength ?? 0), modifiedAt: head.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw asUnavailable(err);
    }
  }

  async read(name: string, range?: ObjectRange): Promise<Readable> {
    const key = this.key(name);
    const out = await this.client
      .send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }))
      .catch((err: unknown) => {
        if (isNotFound(err)) throw new MediaError("not_found", "the stored file is not in the media store");
        throw asUnavailable(err);
      });
    const body = out.Body;
    if (!(body instanceof Readable)) throw storeUnavailable("the store answered without a body");
    return body;
  }

  async delete(name: string): Promise<void> {
    // One request per key: DeleteObjects sends a CRC32 instead of Content-MD5, which non-AWS stores refuse (aws-sdk-js-v3#6920).
    const key = this.key(name);
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key })));
  }

  async *list(): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.settings.prefix || undefined, ContinuationToken: token })),
      );
      for (const item of page.Contents ?? []) {
        const name = (item.Key ?? "").slice(this.settings.prefix.length);
        if (isObjectName(name)) yield { name, bytes: Number(item.Size ?? 0), modifiedAt: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async check(): Promise<void> {
    await this.call(() => this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket })));
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw asUnavailable(err);
    }
  }
}

function isNotFound(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = (err as { name?: string }).name;
  return status === 404 || name === "NotFound" || name === "NoSuchKey";
}

/** Any failure of the store (refused connection, timeout, 5xx, a refusal of its own) as store_unavailable, naming what happened but no key or secret. */
function asUnavailable(err: unknown) {
  if (err instanceof S3ServiceException) {
    return storeUnavailable(`${err.name}, HTTP ${err.$metadata?.httpStatusCode ?? "?"}`);
  }
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name ?? "error";
  return storeUnavailable(String(code));
}
