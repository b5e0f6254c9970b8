import { pool } from "@/lib/db/client";
import { checkHealth } from "@/lib/health";
import { ingestor } from "@/lib/ingest/spool-ingest";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const spool = await ingestor().then(
    (i) => i.status(),
    (err: Error) => err,
  );
  const health = await checkHealth(pool(), spool);
  return Response.json(health, { status: health.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
}
