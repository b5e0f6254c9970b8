import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";
import { countVideos } from "@/lib/videos/count";
import { parseVideoFilters } from "@/lib/videos/filters";

export const dynamic = "force-dynamic";

/** `{count}`: how many videos match the filters (what an export of them holds); null when counting took too long. */
export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => Response.json({ count: await countVideos(db(), parseVideoFilters(new URL(request.url).searchParams)) }));
}
