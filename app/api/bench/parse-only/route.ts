// Benchmark baseline (a): the framework's own ceiling. Reads and parses the callback body like
// the real route does, then answers without touching the database. 404 unless BENCH_ROUTES=1.
import { config } from "@/lib/config";
import { readBodyWithLimit } from "@/lib/http/body";
import { handle, jsonError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handle(request, async () => {
    if (!config().BENCH_ROUTES) return jsonError(404, "not found");
    const body = await readBodyWithLimit(request, config().CALLBACK_MAX_BYTES);
    try {
      JSON.parse(body.data.toString("utf8"));
    } catch {
      return jsonError(400, "body is not JSON");
    }
    return Response.json({});
  });
}
