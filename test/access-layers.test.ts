// Access holds where the data is served, not only in the proxy. Next skips the proxy for a
// request carrying the build's preview id in `x-prerender-revalidate`; that id sits in
// .next/prerender-manifest.json, readable by any local user or anyone holding the build. With it
// and no credentials, the real `next start` server must give nothing from any API route or page.
// And a static check: every route handler goes through the wrapper, every page through the
// layout that checks.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { useTestDatabase } from "./support/db";
import { concretePath, layoutFiles, pageFiles, routeFiles } from "./support/routes";

const PUBLIC_ROUTES = new Set(["/api/callback", "/api/health", "/api/login", "/api/logout"]);

describe("every route handler goes through the wrapper, every page through the checking layout", () => {
  it("each exported method of each app/**/route.ts returns handle(request, ...)", () => {
    const routes = routeFiles();
    expect(routes.length).toBeGreaterThan(10);
    const bypassing: string[] = [];
    for (const route of routes) {
      expect(route.methods.length, route.file).toBeGreaterThan(0);
      for (const method of route.methods) {
        const fn = new RegExp(`export\\s+async\\s+function\\s+${method}\\s*\\([^)]*\\)[^{]*\\{(\\s*//[^\\n]*)*\\s*return\\s+handle\\(\\s*request\\s*,`).test(route.source);
        const alias = new RegExp(`export\\s+const\\s+${method}\\s*=\\s*(GET|POST|PUT|PATCH|DELETE)\\s*;`).exec(route.source);
        if (!fn && !(alias && route.methods.includes(alias[1]))) bypassing.push(`${route.file} ${method}`);
      }
    }
    expect(bypassing).toEqual([]);
  });

  it("the one root layout asks pageAccess() and renders a page only when it allows", () => {
    expect(layoutFiles()).toEqual(["app/layout.tsx"]);
    const layout = readFileSync("app/layout.tsx", "utf8");
    expect(layout).toMatch(/const access = await pageAccess\(\);/);
    expect(layout).toMatch(/\{access\.allowed \? children : /);
    expect(layout.match(/\{children\}/g) ?? []).toHaveLength(0);
    expect(pageFiles().length).toBeGreaterThan(5);
  });
});

describe("the build's preview id opens nothing (real next start, password and API token set)", () => {
  const db = useTestDatabase();
  let app: AppServer;
  let previewId: string;
  const marker = { fromWxId: `wxid_${randomBytes(6).toString("hex")}`, aesKey: randomBytes(16).toString("hex"), conversation: `R:${randomBytes(6).toString("hex")}`, nickname: `nick_${randomBytes(6).toString("hex")}` };
  const values: Record<string, string> = {};

  beforeAll(async () => {
    previewId = JSON.parse(readFileSync(join(process.cwd(), ".next", "prerender-manifest.json"), "utf8")).preview.previewModeId;
    expect(previewId).toMatch(/^[0-9a-f]{16,}$/);
    const token = "layers-api-token";
    app = await startAppServer({ DATABASE_URL: db.url, DASHBOARD_PASSWORD: "layers-password", API_TOKEN: token });
    const envelope = JSON.parse(readFileSync(join(process.cwd(), "test/fixtures/provider-example-20004.json"), "utf8"));
    envelope.data = { ...envelope.data, serverId: randomBytes(6).toString("hex"), fromWxId: marker.fromWxId, fromNickName: marker.nickname, conversationId: marker.conversation, cdnData: { ...envelope.data.cdnData, aes_key: marker.aesKey } };
    expect((await fetch(`${app.url}/api/callback`, { method: "POST", body: JSON.stringify(envelope) })).status).toBe(200);
    const list = await (await fetch(`${app.url}/api/videos`, { headers: { authorization: `Bearer ${token}` } })).json();
    Object.assign(values, { id: String(list.items[0].id), kind: "preview" });
    // The marker is there to be found by someone with credentials: the test below can fail.
    const secrets = await (await fetch(`${app.url}/api/export?format=csv&includeSecrets=1`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(secrets).toContain(marker.aesKey);
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
  });

  /** The data markers in `text`, leaving out those the request's own path names (a redirect repeats it). */
  const leaks = (text: string, path = "") => Object.values(marker).filter((m) => text.includes(m) && !decodeURIComponent(path).includes(m));

  it("no API route answers it with data", async () => {
    const answers: string[] = [];
    for (const route of routeFiles()) {
      for (const method of route.methods) {
        const path = concretePath(route.template, values) + (route.template === "/api/export" ? "?format=csv&includeSecrets=1" : "?includeSecrets=1");
        const res = await fetch(`${app.url}${path}`, { method, headers: { "x-prerender-revalidate": previewId }, body: ["GET", "HEAD"].includes(method) ? undefined : "{}" });
        const text = await res.text();
        const refused = PUBLIC_ROUTES.has(route.template) ? res.status < 500 || res.status === 503 : [401, 403, 404].includes(res.status);
        if (!refused || leaks(text).length) answers.push(`${method} ${path} -> ${res.status} ${text.slice(0, 80)}`);
      }
    }
    expect(answers).toEqual([]);
  }, 120_000);

  it("no page renders data for it, also as a client navigation claiming the root layout is already loaded", async () => {
    const pageValues = { ...values, id: values.id };
    const answers: string[] = [];
    // An RSC navigation request: the router state says the client already has the root layout.
    const tree = encodeURIComponent(JSON.stringify(["", { children: ["__PAGE__", {}] }, null, null, true]));
    for (const page of pageFiles()) {
      const ids = page.template.startsWith("/senders") ? { id: marker.fromWxId } : page.template.startsWith("/conversations") ? { id: marker.conversation } : pageValues;
      const path = concretePath(page.template, ids);
      const variants: Record<string, string>[] = [{ "x-prerender-revalidate": previewId }, { "x-prerender-revalidate": previewId, rsc: "1", "next-router-state-tree": tree }];
      for (const headers of variants) {
        const res = await fetch(`${app.url}${path}`, { headers, redirect: "manual" });
        const text = await res.text();
        if (leaks(text, path).length) answers.push(`${path} ${JSON.stringify(Object.keys(headers))} -> ${res.status}: leaks ${leaks(text, path).join(", ")}`);
      }
    }
    expect(answers).toEqual([]);
  }, 120_000);
});
