import { handle } from "@/lib/http/responses";
import { metrics } from "@/lib/metrics/registry";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return handle(request, async () =>
    new Response(await metrics.registry.metrics(), {
      headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
    }),
  );
}
