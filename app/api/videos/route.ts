import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";
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
