// Relay targets carry secrets: chat robots' hook URLs hold their token in the path (Feishu), in the
// query (WeCom's key, DingTalk's access_token) or as user:password@. Through the real `next start`,
// with targets that fail (so every error path logs and records), none of those tokens may appear in
// what the app shows or writes: its log output, /api/metrics, /api/forwarding, /forwarding,
// /api/deliveries/<id> and /deliveries. The targets answer as careless servers do, echoing the path
// they were asked ("Cannot POST /open-apis/bot/v2/hook/<token>"), so the kept answers are checked too.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./durability-helpers";
import { useAppServer } from "./support/use-app-server";
import { useTestDatabase } from "./support/db";
import { freePort } from "../lib/db/embedded";

const token = () => randomBytes(16).toString("hex");
const FEISHU = token();
const WECOM = token();
const DINGTALK = token();
const PASSWORD = token();
const SECRETS = { FEISHU, WECOM, DINGTALK, PASSWORD };

const example = JSON.parse(readFileSync(new URL("./fixtures/provider-example-20004.json", import.meta.url), "utf8"));

type Seen = { url: string; authorization: string | undefined };
const seen: Seen[] = [];
let target: Server;
let port = 0;

const db = useTestDatabase();
// The port is taken before the app starts: its FORWARD_URLS name it.
beforeAll(async () => {
  port = await freePort();
  target = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
      // WeCom's path is refused for good (404), the others are retried (500, 502).
      const status = req.url?.startsWith("/cgi-bin") ? 404 : req.url?.startsWith("/robot") ? 502 : 500;
      res.writeHead(status, { "content-type": "text/plain" }).end(`Cannot POST ${req.url} (authorization: ${req.headers.authorization ?? "none"})`);
    });
  });
  await new Promise<void>((resolve) => target.listen(port, "127.0.0.1", resolve));
}, 60_000);
afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));

const origin = () => `http://127.0.0.1:${port}`;
const app = useAppServer(() => ({
  DATABASE_URL: db.url,
  LOG_LEVEL: "debug",
  FORWARD_TIMEOUT_MS: "3000",
  FORWARD_URLS: [
    `${origin()}/open-apis/bot/v2/hook/${FEISHU}`,
    `wecom=${origin()}/cgi-bin/webhook/send?key=${WECOM}`,
    `http://relay:${PASSWORD}@127.0.0.1:${port}/robot/send?access_token=${DINGTALK}`,
  ].join(","),
}));

describe("secrets in relay targets", () => {
  it("a token in a target's path, query or user:password never reaches logs, metrics, /forwarding or the deliveries", async () => {
    const e = structuredClone(example);
    e.data.serverId = `secrets-${token()}`;
    const res = await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(e) });
    expect(res.status).toBe(200);
    await waitFor("each target asked and its error recorded", async () => {
      const items = (await (await fetch(`${app.url}/api/forwarding`)).json()).items as { lastError: string | null }[];
      return (items.length === 3 && items.every((t) => t.lastError)) || undefined;
    }, 60_000, 200);
    const deliveryId = (await (await fetch(`${app.url}/api/deliveries`)).json()).items[0].id as string;

    const shown = {
      "the app's log output": app.output(),
      "/api/metrics": await (await fetch(`${app.url}/api/metrics`)).text(),
      "/api/forwarding": await (await fetch(`${app.url}/api/forwarding`)).text(),
      "/forwarding": await (await fetch(`${app.url}/forwarding`)).text(),
      [`/api/deliveries/${deliveryId}`]: await (await fetch(`${app.url}/api/deliveries/${deliveryId}`)).text(),
      "/deliveries": await (await fetch(`${app.url}/deliveries`)).text(),
    };
    for (const [where, text] of Object.entries(shown)) {
      for (const [name, secret] of Object.entries(SECRETS)) expect(text, `${name} in ${where}`).not.toContain(secret);
    }

    // Not vacuous: the failures were logged and counted, and the targets are shown by scheme, host
    // and a label (or the operator's name), each different.
    expect(shown["the app's log output"]).toContain("relay: forward failed");
    expect(shown["/api/metrics"]).toMatch(/forward_attempts_total\{target="[^"]*127\.0\.0\.1[^"]*",outcome="failed"\} 1/);
    const targets = (JSON.parse(shown["/api/forwarding"]).items as { target: string; lastError: string }[]).map((t) => t.target);
    expect(new Set(targets).size).toBe(3);
    for (const t of targets) expect(t).toContain(`http://127.0.0.1:${port}`);
    expect(targets.filter((t) => t.startsWith("wecom "))).toHaveLength(1);
    expect(shown["/forwarding"]).toContain(targets[0]);
    // The user:password of a target's URL is sent as HTTP basic authentication, as a browser would.
    expect(seen.find((s) => s.url.startsWith("/robot"))?.authorization).toBe(`Basic ${Buffer.from(`relay:${PASSWORD}`).toString("base64")}`);
  }, 120_000);
});
