import { secretsEqual } from "@/lib/auth/secrets";
import { config } from "@/lib/config";
import { pool } from "@/lib/db/client";
import { handle, jsonError } from "@/lib/http/responses";
import { readBodyWithLimit } from "@/lib/http/body";
import { VIDEO_EVENT_CODE } from "@/lib/ingest/payload";
import { receiveDelivery, recordOversizeDelivery } from "@/lib/ingest/receive";
import { errorSummary, ingestor, type Received } from "@/lib/ingest/spool-ingest";
import { log, redactUrl } from "@/lib/log";
import { eventLabel, metrics } from "@/lib/metrics/registry";

export const dynamic = "force-dynamic";

// Through the same wrapper as every route (access: public, the token is checked here; headers).
// Not given a body limit: an oversize delivery is recorded with its first bytes below.
export async function POST(request: Request): Promise<Response> {
  return handle(request, async () => {
    const started = performance.now();
    const { CALLBACK_TOKEN, CALLBACK_MAX_BYTES } = config();
    const done = (status: number, outcome: string, eventCode: string | null, extra: Record<string, unknown> = {}) => {
      const seconds = (performance.now() - started) / 1000;
      metrics.callbacks.inc({ event: eventLabel(eventCode), outcome });
      metrics.ingestSeconds.observe(seconds);
      const url = new URL(request.url);
      const line = { method: "POST", path: redactUrl(url.pathname + url.search), status, ms: Math.round(seconds * 10_000) / 10, event: eventCode, outcome, ...extra };
      if (status >= 500) log.error(line, "callback");
      else log.info(line, "callback");
    };

    if (CALLBACK_TOKEN && !tokenMatches(request, CALLBACK_TOKEN)) {
      done(401, "unauthorized", null);
      return jsonError(401, "missing or wrong callback token: add ?token=<CALLBACK_TOKEN> to the callback URL");
    }
    const body = await readBodyWithLimit(request, CALLBACK_MAX_BYTES);
    if (body.tooLarge) {
      await recordOversizeDelivery(pool(), body.data, body.bytes, CALLBACK_MAX_BYTES).catch((err) =>
        log.error({ err: errorSummary(err) }, "an oversize delivery could not be recorded"),
      );
      done(413, "rejected", null, { bytes: body.bytes, head: body.data.subarray(0, 200).toString("utf8") });
      return jsonError(413, `body over ${CALLBACK_MAX_BYTES} bytes (CALLBACK_MAX_BYTES)`);
    }
    let result: Received;
    try {
      result = await (await ingestor()).receive(body.data, new Date(), request.headers.get("content-type"));
    } catch (err) {
      // Only reached when the receiver itself cannot start (the spool directory cannot be created):
      // store without the spool's safety net rather than refuse what the database can still take.
      result = await storeWithoutSpool(body.data, request.headers.get("content-type"), errorSummary(err));
    }
    // A JSON syntax error quotes the body around the fault; the logger masks media keys in it.
    done(result.status, result.outcome, result.eventCode, result.error ? { error: result.error } : {});
    if (result.status === 200) return Response.json({});
    return jsonError(result.status, result.error ?? "rejected", result.issues ? { issues: result.issues } : {});
  });
}

async function storeWithoutSpool(body: Buffer, contentType: string | null, spoolProblem: string): Promise<Received> {
  log.error({ cause: spoolProblem }, "the spool is unavailable: storing the callback directly");
  try {
    const result = await receiveDelivery(pool(), body, new Date(), { contentType });
    const eventCode = result.outcome === "other_event" ? result.eventCode : result.outcome === "rejected" ? null : VIDEO_EVENT_CODE;
    if (result.outcome === "rejected") return { status: 400, outcome: "rejected", eventCode, error: result.error, issues: result.issues };
    return { status: 200, outcome: result.outcome, eventCode };
  } catch (err) {
    log.error({ err: errorSummary(err) }, "callback could not be stored");
    return { status: 503, outcome: "unavailable", eventCode: null, error: "the delivery could not be stored: retry later" };
  }
}

function tokenMatches(request: Request, expected: string): boolean {
  const given = new URL(request.url).searchParams.get("token") ?? request.headers.get("x-callback-token") ?? "";
  return secretsEqual(given, expected);
}
