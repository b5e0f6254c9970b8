import { mediaStore } from "@/lib/media/stores";
import { db } from "@/lib/db/client";
import { actorOf } from "@/lib/http/actor";
import { handle } from "@/lib/http/responses";
import { log } from "@/lib/log";
import { ParamError } from "@/lib/params";
import { deleteVideos } from "@/lib/videos/delete";
import { parseVideoFilters } from "@/lib/videos/filters";
import { listVideos } from "@/lib/videos/list";
import { parseSortedPage } from "@/lib/videos/sort";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const params = new URL(request.url).searchParams;
    return Response.json(await listVideos(db(), parseVideoFilters(params), parseSortedPage(params)));
  });
}

/**
 * `DELETE /api/videos?ids=1,2,3`: the videos a list's selection chose, as DELETE /api/videos/<id>
 * does for one. Only by ids: a delete by the other filters would be one typo from deleting
 * everything. Ids that are already gone are left out of `ids`, not an error (two tabs, one selection).
 */
export async function DELETE(request: Request): Promise<Response> {
  return handle(request, async () => {
    const { ids } = parseVideoFilters(new URL(request.url).searchParams);
    if (!ids) throw new ParamError("bad parameters: ids: required (the videos to delete, separated by commas)", [{ path: "ids", message: "required" }]);
    const deleted = await deleteVideos(db(), { ids }, mediaStore());
    log.info({ by: actorOf(request), videoIds: deleted.ids, mediaFiles: deleted.mediaFiles }, "videos deleted");
    return Response.json({ deleted: deleted.count, ids: deleted.ids });
  });
}
