// How the app's server process is started: the launcher (`npm start`) and the servers that tests
// and benchmarks start use these alike, so what is tested and measured is what runs.
//
// V8 sizes its heap from the machine's memory (about 4 GB of old space with 24 GB of RAM) and, with
// that much room, lets garbage pile up before it collects: a server on 10M videos that had rendered
// the overview a hundred times sat at 220 to 270 MB, and an export on top of that went past 270 MB.
// With a limit of 512 MB (or 128 to 256; all measured alike) V8 grows the heap less eagerly: 160 to
// 170 MB after the same requests, about 200 MB at the peak of an export of a million rows
// (docs/performance.md). 512 MB is far above what the server holds live, so it is no crash risk.
export const SERVER_HEAP_LIMIT_MB = 512;

/** NODE_OPTIONS for the server: the operator's own, plus the heap limit unless they set one. */
export function serverNodeOptions(inherited: string | undefined): string {
  const own = inherited?.trim() ?? "";
  if (/--max-old-space-size\b/.test(own)) return own;
  return [own, `--max-old-space-size=${SERVER_HEAP_LIMIT_MB}`].filter(Boolean).join(" ");
}

/**
 * The server's environment: `env` with the heap limit added to NODE_OPTIONS, Next's telemetry off,
 * and SIGTERM/SIGINT left to the app (lib/jobs/background.ts), which exits once its background
 * work has stopped too; Next's own handler exits as soon as the connections have ended.
 */
export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", NEXT_MANUAL_SIG_HANDLE: "1", NODE_OPTIONS: serverNodeOptions(env.NODE_OPTIONS) };
}

/**
 * How long an idle keep-alive connection stays open. Node's default is 5 s: a client that reuses a
 * connection after about that long races the server closing it and gets ECONNRESET on a request
 * the server never read (seen in a browser test under load, and possible for any provider's HTTP
 * client that ignores the Keep-Alive header). 65 s is longer than common clients' and load
 * balancers' own idle timeouts (60 s), so they close first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** `next start`'s arguments. */
export function nextStartArgs(host: string, port: number): string[] {
  return ["start", "-H", host, "-p", String(port), "--keepAliveTimeout", String(KEEP_ALIVE_TIMEOUT_MS)];
}
