// Archiving a video's files again: its expired or failed video and preview are queued (issue 25).
import { db } from "@/lib/db/client";
import { handle, jsonError } from "@/lib/http/responses";
import { retryArchive } from "@/lib/media/archive-state";

export const dynamic = "force-dynamic";

/** 202 {queued: ["video", "preview"]}; 404 unknown video; 409 nothing expired or failed to retry. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(request, async () => {
    const { id } = await params;
    const result = await retryArchive(db(), id);
    if (result.kind === "not_found") return jsonError(404, `no video with id ${JSON.stringify(id.slice(0, 40))}`, { code: "not_found" });
    if (result.kind === "nothing_to_retry") return jsonError(409, "nothing to retry: this video's files are archived or still pending", { code: "nothing_to_retry" });
    return Response.json({ queued: result.kinds }, { status: 202 });
  });
}
