// The media proxy: a video's decrypted video or preview, with Range for seeking (GET, HEAD),
// and uploads of files fetched by the provider's download API (PUT). See docs/media.md.
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { config } from "@/lib/config";
import { pool } from "@/lib/db/client";
import { handle, jsonError } from "@/lib/http/responses";
import { MediaError } from "@/lib/media/errors";
import { mediaResponse } from "@/lib/media/serve-range";
import { getMedia, isMediaKind, mediaOptions } from "@/lib/media/store";
import { authorizeUpload, storeUpload } from "@/lib/media/upload";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string; kind: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  return handle(request, async () => {
    const { id, kind } = await params;
    if (!isMediaKind(kind)) return jsonError(404, "unknown media kind: use video or preview", { reason: "not_found" });
    try {
      const media = await getMedia(pool(), id, kind, mediaOptions());
      const download = new URL(request.url).searchParams.get("download") === "1";
      return mediaResponse(request, media, { filename: `${kind}-${id}`, download });
    } catch (err) {
      return refusal(err);
    }
  });
}

export const HEAD = GET;

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  // Access and a Content-Length over MEDIA_MAX_BYTES are refused before a byte is read.
  return handle(
    request,
    async () => {
      const { id, kind } = await params;
      if (!isMediaKind(kind)) return jsonError(404, "unknown media kind: use video or preview", { reason: "not_found" });
      try {
        authorizeUpload(request.headers.get("authorization"), config());
        if (!request.body) return jsonError(400, "empty body: send the file's bytes", { reason: "not_media" });
        const body = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
        const declared = request.headers.get("content-length");
        const stored = await storeUpload(pool(), id, kind, body, mediaOptions(), declared === null ? undefined : Number(declared));
        return Response.json({ sha256: stored.sha256, contentType: stored.contentType, bytes: stored.bytes }, { status: 201 });
      } catch (err) {
        return refusal(err);
      }
    },
    { maxBodyBytes: config().MEDIA_MAX_BYTES },
  );
}

function refusal(err: unknown): Response {
  if (err instanceof MediaError) return jsonError(err.status, err.message, { reason: err.reason });
  throw err;
}
