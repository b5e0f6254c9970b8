import { db } from "@/lib/db/client";
import { getDelivery } from "@/lib/deliveries/list";
import { forwardingOf } from "@/lib/forwarding/outbox";
import { handle, jsonError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** One delivery (body with media keys hidden) and its forwarding state per relay target, with its attempts. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(request, async () => {
    const { id } = await params;
    const delivery = await getDelivery(db(), id);
    if (!delivery) return jsonError(404, `no delivery ${id}`, { code: "not_found" });
    const forwarding = await forwardingOf(db(), id);
    return Response.json({ ...delivery, forwarding });
  });
}
