import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";
import { parseSummaryQuery } from "@/lib/shared/paging";
import { listConversations } from "@/lib/conversations/list";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => Response.json(await listConversations(db(), parseSummaryQuery(new URL(request.url).searchParams))));
}
