// A database that comes and goes, for the receiver's tests: the test database behind a TCP proxy
// that can refuse connections ("down"), accept them and never answer ("hang", a database that
// hangs rather than refuses) or pass them through ("up"); and stop passing anything on the
// connections already open, without closing them (`freeze`: a database busy or stuck, that the
// app's open connections wait on).
import { createConnection, createServer, type Socket } from "node:net";
import { freePort } from "../../lib/db/embedded";

export type DatabaseProxy = {
  url: string;
  state: { mode: "up" | "down" | "hang" };
  /** Ends every connection made so far (a database that stopped); new ones follow `state.mode`. */
  dropConnections: () => void;
  /** Stops passing bytes on every open connection, both ways, until `thaw` (or until dropped). */
  freeze: () => void;
  thaw: () => void;
  close: () => Promise<void>;
};

export async function databaseBehindProxy(databaseUrl: string): Promise<DatabaseProxy> {
  const target = new URL(databaseUrl);
  const state = { mode: "up" as "up" | "down" | "hang" };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    if (state.mode === "down") return void client.destroy();
    if (state.mode === "hang") return;
    const upstream = createConnection(Number(target.port), target.hostname);
    upstream.on("error", () => client.destroy());
    client.on("close", () => {
      upstream.destroy();
      piped.delete(pair);
    });
    upstream.on("close", () => client.destroy());
    const pair = { client, upstream };
    piped.add(pair);
    client.pipe(upstream).pipe(client);
    if (frozen) stop(pair);
  });
  const piped = new Set<{ client: Socket; upstream: Socket }>();
  let frozen = false;
  const stop = ({ client, upstream }: { client: Socket; upstream: Socket }) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };
  const freeze = () => {
    frozen = true;
    for (const pair of piped) stop(pair);
  };
  const thaw = () => {
    frozen = false;
    for (const { client, upstream } of piped) client.pipe(upstream).pipe(client);
  };
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const dropConnections = () => {
    for (const s of sockets) s.destroy();
  };
  const close = async () => {
    dropConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${port}`;
  return { url: url.toString(), state, dropConnections, freeze, thaw, close };
}
