// Benchmark baseline (b): how most dashboards ingest. Validates with the same schema as the
// real receiver, then one Prisma `create` per request; a redelivery is a 200 duplicate.
// 404 unless BENCH_ROUTES=1.
import { config } from "@/lib/config";
import { prisma } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { readBodyWithLimit } from "@/lib/http/body";
import { handle, jsonError } from "@/lib/http/responses";
import { classify, videoRow } from "@/lib/ingest/receive";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handle(request, async () => {
    if (!config().BENCH_ROUTES) return jsonError(404, "not found");
    const body = await readBodyWithLimit(request, config().CALLBACK_MAX_BYTES);
    const classified = classify(body.data);
    if (classified.kind === "rejected") return jsonError(400, classified.error, { issues: classified.issues });
    if (classified.kind !== "video") return Response.json({});
    const { raw, ...row } = videoRow(classified.envelope, classified.raw, new Date());
    try {
      await prisma().videoEvent.create({
        data: { ...(row as unknown as Omit<Prisma.VideoEventCreateInput, "raw">), raw: JSON.parse(raw as string) },
      });
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")) {
        return jsonError(503, "the delivery could not be stored: retry later");
      }
    }
    return Response.json({});
  });
}
