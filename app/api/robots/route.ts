import { config } from "@/lib/config";
import { pool } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";
import { listRobots } from "@/lib/robots/list";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => Response.json({ items: await listRobots(pool(), { silentAfterMs: config().ROBOT_SILENT_AFTER }) }));
}
