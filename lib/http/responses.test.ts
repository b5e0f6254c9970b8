// The wrapper's error mapping: every error body has `error` and a machine-readable `code`.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { MEDIA_FAILURE_KIND, MediaError } from "../media/errors";
import { ParamError } from "../params";
import { DomainError, ERROR_KINDS } from "../shared/errors";
import { CODE_OF_STATUS, jsonError, mapErrors, STATUS_OF_KIND } from "./responses";

const request = new Request("http://127.0.0.1/api/x");
const failWith = async (err: unknown) => {
  const response = await mapErrors(request, () => Promise.reject(err));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

test("a domain error is answered with its kind's status, its code and its details", async () => {
  expect(await failWith(new ParamError("bad parameters: limit: at most 500", [{ path: "limit", message: "at most 500" }]))).toEqual({
    status: 400,
    body: { error: "bad parameters: limit: at most 500", code: "bad_parameters", issues: [{ path: "limit", message: "at most 500" }] },
  });
  expect(await failWith(new MediaError("md5_mismatch", "md5 mismatch"))).toEqual({ status: 502, body: { error: "md5 mismatch", code: "md5_mismatch", reason: "md5_mismatch" } });
  expect((await failWith(new MediaError("md5_mismatch", "md5 mismatch", "unprocessable"))).status).toBe(422);
  expect(await failWith(new DomainError("busy", "export_busy", "2 exports are streaming", { code: "forged" }))).toEqual({
    status: 429,
    body: { error: "2 exports are streaming", code: "export_busy" },
  });
});

test("PostgreSQL errors: a refused value is the input's fault (400), a lost database 503, anything else a 500 with no detail", async () => {
  expect(await failWith(Object.assign(new Error('date/time field value out of range: "300000-01-01"\nDETAIL'), { code: "22008" }))).toEqual({
    status: 400,
    body: { error: 'bad parameter: date/time field value out of range: "300000-01-01"', code: "invalid_value" },
  });
  expect(await failWith(Object.assign(new Error("the database system is shutting down"), { code: "57P03" }))).toEqual({
    status: 503,
    body: { error: "the database is unavailable: retry later", code: "database_unavailable" },
  });
  expect(await failWith(new Error("secret internals"))).toEqual({ status: 500, body: { error: "internal error: see the server log", code: "internal" } });
});

test("jsonError(status, error, extra) still works as before, with a code from the status unless one is given", async () => {
  expect(await (await jsonError(404, "no video")).json()).toEqual({ error: "no video", code: "not_found" });
  expect(await (await jsonError(400, "bad", { issues: [] })).json()).toEqual({ error: "bad", code: "bad_request", issues: [] });
  expect(await (await jsonError(409, "gone", { code: "no_body" })).json()).toEqual({ error: "gone", code: "no_body" });
  expect(await (await jsonError(418, "odd")).json()).toEqual({ error: "odd", code: "bad_request" });
});

test("every kind has a status, and docs/api-errors.md lists every code an error body can carry", () => {
  for (const kind of ERROR_KINDS) expect(STATUS_OF_KIND[kind], kind).toBeGreaterThanOrEqual(400);
  const doc = readFileSync(new URL("../../docs/api-errors.md", import.meta.url), "utf8");
  const codes = [...Object.values(CODE_OF_STATUS), ...Object.keys(MEDIA_FAILURE_KIND), "bad_parameters", "invalid_value", "database_unavailable", "export_busy", "no_body", "nothing_to_retry"];
  for (const code of codes) expect(doc, code).toContain(`\`${code}\``);
});
