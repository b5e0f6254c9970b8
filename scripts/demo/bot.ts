// A stand-in for a robot's own backend: what the relay forwards to. It records every request
// (body bytes, headers), checks the signature when given the secret, and answers what it is told
// to. Used by `npm run demo`, the forwarding tests and the forwarding bench.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";

export type BotRequest = {
  deliveryId: string;
  body: Buffer;
  contentType: string | undefined;
  signature: string | undefined;
  /** Whether X-Signature-256 matches the body under the secret (null: no secret given to the bot). */
  signatureValid: boolean | null;
  headers: IncomingMessage["headers"];
  at: number;
};

export type StandInBot = {
  url: string;
  port: number;
  received: BotRequest[];
  /** Sets the status answered to each request (default 200); a function decides per request. */
  answer: (status: number | ((req: BotRequest) => number | Promise<number>)) => void;
  /** Stops listening (the port is kept: `start()` listens on it again). Open connections are cut. */
  down: () => Promise<void>;
  up: () => Promise<void>;
  stop: () => Promise<void>;
};

export function verifySignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(body).digest("hex"));
  const given = Buffer.from(header.slice("sha256=".length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startStandInBot(options: { port?: number; secret?: string; onRequest?: (req: BotRequest) => void } = {}): Promise<StandInBot> {
  const received: BotRequest[] = [];
  let decide: (req: BotRequest) => number | Promise<number> = () => 200;
  let server: Server | null = null;
  let port = options.port ?? 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
          const body = Buffer.concat(chunks);
          const signature = req.headers["x-signature-256"] as string | undefined;
          const record: BotRequest = {
            deliveryId: String(req.headers["x-delivery-id"] ?? ""),
            body,
            contentType: req.headers["content-type"],
            signature,
            signatureValid: options.secret === undefined ? null : verifySignature(body, signature, options.secret),
            headers: req.headers,
            at: Date.now(),
          };
          received.push(record);
          options.onRequest?.(record);
          const status = await decide(record);
          res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : `stand-in bot answered ${status}`);
        });
      });
      s.keepAliveTimeout = 60_000;
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  const down = async () => {
    const s = server;
    server = null;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  };

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}/wechat/callback`;
    },
    get port() {
      return port;
    },
    received,
    answer: (status) => (decide = typeof status === "function" ? status : () => status),
    down,
    up: listen,
    stop: down,
  };
}
