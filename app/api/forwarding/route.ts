import { db } from "@/lib/db/client";
import { targetSummaries } from "@/lib/forwarding/targets";
import { handle } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** Relay targets with their backlog, oldest pending age, success rate over the last hour and last error. */
export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => Response.json({ items: await targetSummaries(db()) }));
}
