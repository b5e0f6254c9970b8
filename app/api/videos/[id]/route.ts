import { mediaStore } from "@/lib/media/stores";
import { db } from "@/lib/db/client";
import { actorOf } from "@/lib/http/actor";
import { handle, jsonError } from "@/lib/http/responses";
import { log } from "@/lib/log";
import { deleteVideos } from "@/lib/videos/delete";
import { getVideo } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(request, async () => {
    const { id } = await params;
    const includeSecrets = new URL(request.url).searchParams.get("includeSecrets") === "1";
    const video = await getVideo(db(), id, { includeSecrets });
    return video ? Response.json(video) : jsonError(404, `no video with id ${JSON.stringify(id.slice(0, 40))}`);
  });
}

/** Deletes the video, its raw payload and cached media; its deliveries stay, marked deleted. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(request, async () => {
    const { id } = await params;
    const deleted = await deleteVideos(db(), { id }, mediaStore());
    if (deleted.count === 0) return jsonError(404, `no video with id ${JSON.stringify(id.slice(0, 40))}`, { code: "not_found" });
    log.info({ by: actorOf(request), videoIds: deleted.ids, mediaFiles: deleted.mediaFiles }, "video deleted");
    return Response.json({ deleted: deleted.count });
  });
}
