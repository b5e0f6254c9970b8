// PUT and DELETE .../label for robots and conversations: what both kinds' route handlers run
// inside handle(), which decides access first (a session or the API token, and for browsers a
// same-origin page: lib/auth/access.ts).
import { db } from "../db/client";
import { clearLabel, setLabel, type LabelKind } from "../labels/labels";
import { log } from "../log";
import { decodeSegment } from "../pages/params";
import { actorOf } from "./actor";
import { readBodyWithLimit } from "./body";
import { jsonError } from "./responses";

/** A label is at most 64 characters: a body beyond this is no label. */
export const LABEL_BODY_MAX_BYTES = 4096;

/** `{"label": "..."}` stores the label, a blank or null one clears it: 200 `{kind, key, label}`. */
export async function putLabel(request: Request, kind: LabelKind, segment: string): Promise<Response> {
  const key = decodeSegment(segment);
  const body = await readBodyWithLimit(request, LABEL_BODY_MAX_BYTES);
  if (body.tooLarge) return jsonError(413, `label body over ${LABEL_BODY_MAX_BYTES} bytes`, { code: "body_too_large" });
  let input: unknown;
  try {
    input = JSON.parse(body.data.toString("utf8"));
  } catch {
    return jsonError(400, 'body is not JSON: expected {"label": "..."}', { code: "bad_json" });
  }
  if (!input || typeof input !== "object" || !("label" in input)) return jsonError(400, 'expected {"label": "..."}', { code: "bad_label" });
  const stored = await setLabel(db(), kind, key, (input as { label: unknown }).label);
  log.info({ by: actorOf(request), kind, key, cleared: stored.label === null }, "label set");
  return Response.json(stored);
}

/** Clears the label: 200 `{kind, key, label: null}`, also when there was none. */
export async function deleteLabel(request: Request, kind: LabelKind, segment: string): Promise<Response> {
  const key = decodeSegment(segment);
  const cleared = await clearLabel(db(), kind, key);
  log.info({ by: actorOf(request), kind, key, cleared: true }, "label set");
  return Response.json(cleared);
}
