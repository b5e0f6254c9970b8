import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";
import { parseSummaryQuery } from "@/lib/shared/paging";
import { listSenders } from "@/lib/senders/list";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => Response.json(await listSenders(db(), parseSummaryQuery(new URL(request.url).searchParams))));
}
