// The Node options the app's server runs with: the launcher (`npm start`) and the servers that
// tests and benchmarks start pass them alike, so what is measured is what runs.
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
