import { mediaStore } from "@/lib/media/stores";
import { db } from "@/lib/db/client";
import { actorOf } from "@/lib/http/actor";
import { handle } from "@/lib/http/responses";
import { log } from "@/lib/log";
import { decodeSegment } from "@/lib/pages/params";
import { deleteVideos } from "@/lib/videos/delete";

export const dynamic = "force-dynamic";

/** "Forget this person": every video from one sender, as DELETE /api/videos/<id> does for one. */
export async function DELETE(request: Request, { params }: { params: Promise<{ fromWxId: string }> }): Promise<Response> {
  return handle(request, async () => {
    const fromWxId = decodeSegment((await params).fromWxId);
    const deleted = await deleteVideos(db(), { fromWxId }, mediaStore());
    log.info({ by: actorOf(request), fromWxId, count: deleted.count, mediaFiles: deleted.mediaFiles }, "sender's videos deleted");
    return Response.json({ deleted: deleted.count });
  });
}
