// How relay targets are configured and shown: FORWARD_URLS entries with or without a name, and
// nothing of a hook URL's token in a label or a kept answer.
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config";
import { redactTarget, targetLabel } from "./label";
import { sendForward } from "./send";

const FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/0f8e2a4c-5b6d-4e7f-8a9b-c1d2e3f4a5b6";
const WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";
const DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=6b1f0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

describe("FORWARD_URLS", () => {
  it("takes plain URLs as before, and name=url entries, in order", () => {
    expect(parseConfig({ FORWARD_URLS: `${FEISHU}, ${WECOM}` }).FORWARD_URLS).toEqual([{ name: null, url: FEISHU }, { name: null, url: WECOM }]);
    expect(parseConfig({ FORWARD_URLS: `ops-group=${WECOM},${FEISHU}, 值班.2 = ${DINGTALK}` }).FORWARD_URLS).toEqual([
      { name: "ops-group", url: WECOM },
      { name: null, url: FEISHU },
      { name: "值班.2", url: DINGTALK },
    ]);
    expect(parseConfig({}).FORWARD_URLS).toEqual([]);
  });

  it("refuses bad entries by position, without quoting them (they carry tokens)", () => {
    const refusal = (value: string) => {
      try {
        parseConfig({ FORWARD_URLS: value });
      } catch (err) {
        return (err as Error).message;
      }
      return "accepted";
    };
    expect(refusal(`${FEISHU},ftp://x/secret-token`)).toMatch(/FORWARD_URLS: entry 2: every entry must be an http\(s\) URL/);
    expect(refusal(`a=${FEISHU},a=${WECOM}`)).toMatch(/entry 2: the name a is given twice/);
    expect(refusal(`${FEISHU},b=${FEISHU}`)).toMatch(/entry 2: the same URL is listed twice/);
    expect(refusal(`bad name=${FEISHU}`)).toMatch(/entry 1: a name is/);
    expect(refusal(`=${FEISHU}`)).toMatch(/entry 1: a name is/);
    for (const value of [`${FEISHU},ftp://x/secret-token`, `x y=${WECOM}`]) expect(refusal(value)).not.toMatch(/secret-token|693a91f6|0f8e2a4c/);
  });
});

describe("a target as shown", () => {
  it("is scheme, host and a stable hash of the whole URL, or the operator's name", () => {
    const label = targetLabel(FEISHU, []);
    expect(label).toMatch(/^https:\/\/open\.feishu\.cn #[0-9a-f]{8}$/);
    expect(targetLabel(FEISHU, [])).toBe(label);
    expect(targetLabel(FEISHU.replace("a5b6", "a5b7"), [])).not.toBe(label);
    expect(targetLabel(WECOM, [{ name: "ops", url: WECOM }])).toBe("ops (https://qyapi.weixin.qq.com)");
    expect(targetLabel(DINGTALK, [{ name: "ops", url: WECOM }])).toMatch(/^https:\/\/oapi\.dingtalk\.com #[0-9a-f]{8}$/);
    expect(targetLabel("http://relay:pw@127.0.0.1:8080/x", [])).toMatch(/^http:\/\/127\.0\.0\.1:8080 #/);
  });

  it("keeps nothing of the URL's path, query or credentials in a text that quotes them", () => {
    const url = "http://relay:p%40ss-word@127.0.0.1:9/open-apis/bot/v2/hook/0f8e2a4c5b6d?key=693a91f6&x=1";
    const text = `Cannot POST /open-apis/bot/v2/hook/0f8e2a4c5b6d?key=693a91f6&x=1; again 0f8e2a4c5b6d, key 693a91f6, ${url}, p@ss-word`;
    const redacted = redactTarget(text, url);
    for (const secret of ["0f8e2a4c5b6d", "693a91f6", "p%40ss-word", "p@ss-word"]) expect(redacted).not.toContain(secret);
    expect(redacted).toMatch(/^Cannot POST …/);
  });

  it("sends user:password as basic authentication, and keeps the answer without the token even past the 512-byte cut", async () => {
    let authorization: string | undefined;
    const token = "7c1d9e0a2b3f4c5d6e7f8a9b0c1d2e3f";
    const server = createServer((req, res) => {
      authorization = req.headers.authorization;
      req.resume();
      // The token straddles the 512th byte of the answer.
      res.writeHead(500).end(`${"x".repeat(500)}${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const attempt = await sendForward(`http://relay:pw@127.0.0.1:${port}/h/${token}`, { deliveryId: "1", body: Buffer.from("{}"), contentType: null }, { timeoutMs: 5000 });
      expect(attempt).toMatchObject({ verdict: "retry", status: 500 });
      expect(authorization).toBe(`Basic ${Buffer.from("relay:pw").toString("base64")}`);
      expect(attempt.answer).not.toContain(token.slice(0, 8));
      expect(attempt.answer.startsWith("x".repeat(500))).toBe(true);
    } finally {
      server.close();
    }
  });
});
