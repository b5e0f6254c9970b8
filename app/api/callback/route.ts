import { secretsEqual } from "@/lib/auth/secrets";
import { config } from "@/lib/config";
import { readBodyWithLimit } from "@/lib/http/body";
import { handle, jsonError } from "@/lib/http/responses";
import { receiveCallback, reportCallback } from "@/lib/ingest/ingestor";
import { unauthorized } from "@/lib/ingest/outcome";
import { redactUrl } from "@/lib/log";

export const dynamic = "force-dynamic";

// Outside proxy.ts's matcher: the token and the size limit are checked here, the headers put on
// by handle(). Not given handle()'s body limit: an oversize delivery is recorded with its first bytes.
// A production server calls it before Next routes the request (instrumentation.ts).
export async function POST(request: Request): Promise<Response> {
  return handle(request, async () => {
    const started = performance.now();
    const { CALLBACK_TOKEN, CALLBACK_MAX_BYTES } = config();
    const url = new URL(request.url);
    const token = url.searchParams.get("token") ?? request.headers.get("x-callback-token") ?? "";
    const outcome = CALLBACK_TOKEN && !secretsEqual(token, CALLBACK_TOKEN)
      ? unauthorized()
      : await receiveCallback(await readBodyWithLimit(request, CALLBACK_MAX_BYTES), CALLBACK_MAX_BYTES, request.headers.get("content-type"));
    reportCallback(outcome, redactUrl(url.pathname + url.search), (performance.now() - started) / 1000);
    if (outcome.status === 200) return Response.json({});
    return jsonError(outcome.status, outcome.error, outcome.status === 400 ? { issues: outcome.issues } : {});
  });
}
