import { metrics } from "@/lib/metrics/registry";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return new Response(await metrics.registry.metrics(), {
    headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
  });
}
