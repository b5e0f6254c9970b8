import { pool } from "@/lib/db/client";
import { config } from "@/lib/config";
import { oldestPendingSeconds } from "@/lib/forwarding/targets";
import { checkHealth } from "@/lib/health";
import { ingestor } from "@/lib/ingest/spool-ingest";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const spool = await ingestor().then(
    (i) => i.status(),
    (err: Error) => err,
  );
  const relaying = config().FORWARD_URLS.length > 0;
  const health = await checkHealth(pool(), spool, relaying ? () => oldestPendingSeconds(pool()) : undefined);
  return Response.json(health, { status: health.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
}
