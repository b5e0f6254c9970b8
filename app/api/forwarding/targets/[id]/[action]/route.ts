import { db } from "@/lib/db/client";
import { operateTarget, TARGET_ACTIONS } from "@/lib/forwarding/targets";
import { handle, jsonError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/**
 * POST /api/forwarding/targets/<id>/pause | resume, and /retry with {"deliveryId": "..."}: a failed
 * delivery goes back to pending, ahead of the target's newer ones; /retry-failed: all of them.
 * Retries answer {"ok": true, "retried": n}.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string; action: string }> }): Promise<Response> {
  return handle(request, async () => {
    const { id, action } = await params;
    if (!(TARGET_ACTIONS as readonly string[]).includes(action)) {
      return jsonError(404, `unknown action "${action}": one of ${TARGET_ACTIONS.join(", ")}`, { code: "not_found" });
    }
    const body = action === "retry" ? ((await request.json().catch(() => null)) as { deliveryId?: unknown } | null) : null;
    const result = await operateTarget(db(), id, action as (typeof TARGET_ACTIONS)[number], body?.deliveryId);
    if (result.kind !== "done") return jsonError(result.kind === "bad_request" ? 400 : 404, result.error, { code: result.kind });
    return Response.json(result.retried === undefined ? { ok: true } : { ok: true, retried: result.retried });
  });
}
