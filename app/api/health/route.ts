import { pool } from "@/lib/db/client";
import { config } from "@/lib/config";
import { oldestPendingSeconds } from "@/lib/forwarding/targets";
import { checkHealth, publicHealth } from "@/lib/health";
import { mayReadProtected } from "@/lib/http/access";
import { handle } from "@/lib/http/responses";
import { listRobots } from "@/lib/robots/list";
import { ingestor } from "@/lib/ingest/ingestor";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const spool = await ingestor().then(
      (i) => i.status(),
      (err: Error) => err,
    );
    const cfg = config();
    const health = await checkHealth(pool(), spool, {
      silentRobots: async () => (await listRobots(pool(), { silentAfterMs: cfg.ROBOT_SILENT_AFTER })).filter((r) => r.state === "silent").map((r) => r.robotId),
      forwardLag: cfg.FORWARD_URLS.length > 0 ? () => oldestPendingSeconds(pool()) : undefined,
    });
    return Response.json((await mayReadProtected(request)) ? health : publicHealth(health), { status: health.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
  });
}
