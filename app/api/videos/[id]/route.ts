import { pool } from "@/lib/db/client";
import { handle, jsonError } from "@/lib/http/responses";
import { getVideo } from "@/lib/videos/list";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(request, async () => {
    const { id } = await params;
    const includeSecrets = new URL(request.url).searchParams.get("includeSecrets") === "1";
    const video = await getVideo(pool(), id, { includeSecrets });
    return video ? Response.json(video) : jsonError(404, `no video with id ${JSON.stringify(id.slice(0, 40))}`);
  });
}
