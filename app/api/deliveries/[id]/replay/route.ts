import { db } from "@/lib/db/client";
import { replayDelivery } from "@/lib/deliveries/replay";
import { handle, jsonError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** 200 {outcome, error?, issues?, deliveryId}; 404 unknown delivery; 409 no body to replay. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(request, async () => {
    const { id } = await params;
    const result = await replayDelivery(db(), id);
    if (result.kind === "not_found") return jsonError(404, `no delivery ${id}`);
    if (result.kind === "no_body") return jsonError(409, result.reason, { code: "no_body" });
    const { outcome, error, issues, deliveryId } = result;
    return Response.json({ outcome, error, issues, deliveryId });
  });
}
