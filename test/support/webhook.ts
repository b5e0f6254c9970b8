// A stand-in for a chat robot's webhook on a local port: records every POST, answers with the
// status `answer` gives (200 unless told otherwise).
import { createServer } from "node:http";
import { freePort } from "../../lib/db/embedded";

export type Received = { at: number; body: Record<string, unknown>; status: number };

/** `hold`: each POST is recorded on arrival and answered only once it resolves. */
export async function startWebhook(answer: (n: number) => number = () => 200, { hold }: { hold?: Promise<unknown> } = {}) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => (text += d));
    req.on("end", async () => {
      const status = answer(received.length);
      received.push({ at: Date.now(), body: JSON.parse(text), status });
      await hold;
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(r)) };
}
