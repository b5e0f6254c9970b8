// The media proxy: a video's decrypted video or preview, with Range for seeking (GET, HEAD),
// and uploads of files fetched by the provider's download API (PUT). See docs/media.md.
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { config } from "@/lib/config";
import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";
import { MediaError } from "@/lib/media/errors";
import { mediaResponse } from "@/lib/media/serve-range";
import { mediaOptions } from "@/lib/media/cache";
import { getMedia } from "@/lib/media/fetch-queue";
import { isMediaKind } from "@/lib/media/source";
import { authorizeUpload, storeUpload } from "@/lib/media/upload";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string; kind: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  return handle(request, async () => {
    const { id, kind } = await params;
    if (!isMediaKind(kind)) throw unknownKind();
    const cfg = config();
    const options = mediaOptions();
    const media = await getMedia(db(), id, kind, { ...options, archive: cfg.MEDIA_ARCHIVE === "on", maxAgeMs: cfg.MEDIA_ARCHIVE_MAX_AGE });
    const download = new URL(request.url).searchParams.get("download") === "1";
    return mediaResponse(request, media, { filename: `${kind}-${id}`, download }, (range) => options.store.read(media.sha256, range));
  });
}

export const HEAD = GET;

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  // Access and a Content-Length over MEDIA_MAX_BYTES are refused before a byte is read.
  return handle(
    request,
    async () => {
      const { id, kind } = await params;
      if (!isMediaKind(kind)) throw unknownKind();
      authorizeUpload(request.headers.get("authorization"), config());
      if (!request.body) throw new MediaError("not_media", "empty body: send the file's bytes", "invalid");
      const body = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
      const declared = request.headers.get("content-length");
      const stored = await storeUpload(db(), id, kind, body, mediaOptions(), declared === null ? undefined : Number(declared));
      return Response.json({ sha256: stored.sha256, contentType: stored.contentType, bytes: stored.bytes }, { status: 201 });
    },
    { maxBodyBytes: config().MEDIA_MAX_BYTES },
  );
}

function unknownKind(): MediaError {
  return new MediaError("not_found", "unknown media kind: use video or preview");
}
