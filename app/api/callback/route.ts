import { timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { pool } from "@/lib/db/client";
import { jsonError } from "@/lib/http/responses";
import { readBodyWithLimit } from "@/lib/http/body";
import { receiveDelivery, recordOversizeDelivery } from "@/lib/ingest/receive";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const { CALLBACK_TOKEN, CALLBACK_MAX_BYTES } = config();
  if (CALLBACK_TOKEN && !tokenMatches(request, CALLBACK_TOKEN)) {
    return jsonError(401, "missing or wrong callback token: add ?token=<CALLBACK_TOKEN> to the callback URL");
  }
  const body = await readBodyWithLimit(request, CALLBACK_MAX_BYTES);
  try {
    if (body.tooLarge) {
      log.warn({ bytes: body.bytes, limit: CALLBACK_MAX_BYTES, head: body.data.subarray(0, 200).toString("utf8") }, "callback body over the limit");
      await recordOversizeDelivery(pool(), body.data, body.bytes, CALLBACK_MAX_BYTES);
      return jsonError(413, `body over ${CALLBACK_MAX_BYTES} bytes (CALLBACK_MAX_BYTES)`);
    }
    const result = await receiveDelivery(pool(), body.data);
    if (result.outcome === "rejected") return jsonError(400, result.error, { issues: result.issues });
    return Response.json({});
  } catch (err) {
    log.error({ err }, "callback could not be stored");
    return jsonError(503, "the delivery could not be stored: retry later");
  }
}

function tokenMatches(request: Request, expected: string): boolean {
  const given = new URL(request.url).searchParams.get("token") ?? request.headers.get("x-callback-token") ?? "";
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
