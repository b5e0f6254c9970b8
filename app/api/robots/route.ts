import { config } from "@/lib/config";
import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/responses";
import { countRobots, listRobots, parseRobotQuery } from "@/lib/robots/list";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const query = parseRobotQuery(new URL(request.url).searchParams);
    const options = { silentAfterMs: config().ROBOT_SILENT_AFTER, now: new Date() };
    const [page, counts] = await Promise.all([listRobots(db(), query, options), countRobots(db(), options)]);
    return Response.json({ ...page, counts });
  });
}
