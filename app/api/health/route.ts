import { pool } from "@/lib/db/client";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const health = await checkHealth(pool());
  return Response.json(health, { status: health.status === "down" ? 503 : 200 });
}
