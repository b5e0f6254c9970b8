import { pool } from "@/lib/db/client";
import { checkHealth, publicHealth } from "@/lib/health";
import { mayReadProtected } from "@/lib/http/access";
import { handle } from "@/lib/http/responses";
import { ingestor } from "@/lib/ingest/spool-ingest";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const spool = await ingestor().then(
      (i) => i.status(),
      (err: Error) => err,
    );
    const health = await checkHealth(pool(), spool);
    return Response.json((await mayReadProtected(request)) ? health : publicHealth(health), { status: health.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
  });
}
