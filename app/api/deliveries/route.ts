import { db } from "@/lib/db/client";
import { getDelivery, listDeliveries, parseDeliveryQuery } from "@/lib/deliveries/list";
import { handle, jsonError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

// The list leaves bodies out; `?id=<id>&includeBody=1` gives one delivery with its body
// (secrets hidden), which the /deliveries page loads on demand.
export async function GET(request: Request): Promise<Response> {
  return handle(request, async () => {
    const params = new URL(request.url).searchParams;
    const id = params.get("id");
    if (id !== null) {
      const delivery = await getDelivery(db(), id);
      if (!delivery) return jsonError(404, `no delivery with id ${JSON.stringify(id.slice(0, 40))}`);
      return Response.json(params.get("includeBody") === "1" ? delivery : { ...delivery, body: undefined });
    }
    return Response.json(await listDeliveries(db(), parseDeliveryQuery(params)));
  });
}
