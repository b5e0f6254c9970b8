// Item 4 of the auth issue: secrets never reach a log line, whatever shape they arrive in.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, redactUrl } from "../log";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(stream, "debug"), text: () => lines.join("") };
}

const TOKEN = "cb-SECRET-token-42";

describe("logs", () => {
  it("mask the callback token in URLs, in fields, messages and errors", () => {
    const { logger, text } = capture();
    const url = `http://dash.example/api/callback?token=${TOKEN}&x=1`;
    logger.info({ url, path: `/api/callback?a=1&token=${TOKEN}` }, `received ${url}`);
    logger.error({ err: new Error(`fetch ${url} failed`) }, "failure");
    logger.warn(`plain message with ?token=${TOKEN}`);
    expect(text()).not.toContain(TOKEN);
    expect(text()).toContain("token=[redacted]");
  });

  it("keep an error given as a one-line summary as that line, masked", () => {
    const { logger, text } = capture();
    logger.warn({ err: `ECONNREFUSED: connect to http://db.example/?token=${TOKEN}` }, "database unavailable");
    const line = JSON.parse(text());
    expect(line.err).toBe("ECONNREFUSED: connect to http://db.example/?token=[redacted]");
  });

  it("mask keys, tokens, passwords and cookies by field name", () => {
    const { logger, text } = capture();
    logger.info({ video: { aes_key: "AESKEY123", auth_key: "AUTHKEY456", cdnAesKey: "CDNAES789" }, body: { password: "PASSWORD1", token: TOKEN }, headers: { authorization: "Bearer APITOKEN", cookie: "vd_session=COOKIE1" } }, "fields");
    for (const secret of ["AESKEY123", "AUTHKEY456", "CDNAES789", "PASSWORD1", TOKEN, "APITOKEN", "COOKIE1"]) expect(text()).not.toContain(secret);
  });

  it("mask media keys quoted in text, such as the body fragment a JSON syntax error cites", () => {
    const { logger, text } = capture();
    logger.warn({ head: '{"cdnData":{"aes_key":"AESKEY123","auth_key":"AUTHKEY456","md5":"kept"' }, 'Unexpected token in {"aes_key": "AESKEY123"}');
    expect(text()).not.toContain("AESKEY123");
    expect(text()).not.toContain("AUTHKEY456");
    expect(text()).toContain("kept");
  });

  it("redactUrl leaves other parameters alone", () => {
    expect(redactUrl(`/api/callback?token=${TOKEN}&event=20004`)).toBe("/api/callback?token=[redacted]&event=20004");
    expect(redactUrl("/api/videos?q=token")).toBe("/api/videos?q=token");
  });
});
