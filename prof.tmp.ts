import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { to as copyTo } from "pg-copy-streams";
import { createPool } from "./lib/db/client";
import { exportCopySql } from "./lib/export/query";
import { parseExportRequest } from "./lib/export/request";
import { openExport } from "./lib/export/stream";
const url = "postgresql://postgres@127.0.0.1:5432/vd_export_scratch_25805_c875cf1c";
const pool = createPool(url, 2);
const devnull = () => new Writable({ write(_c, _e, cb) { cb(); } });
const N = 300000;
async function copy(label: string, sql: string, pre?: string) {
  const c = await pool.connect();
  if (pre) await c.query(pre);
  const t = performance.now();
  await pipeline(c.query(copyTo(sql)), devnull());
  const s = (performance.now() - t) / 1000;
  if (pre) await c.query("RESET ALL");
  c.release();
  console.log(label.padEnd(40), Math.round(N / s), "rows/s");
}
const csv = exportCopySql(parseExportRequest(new URLSearchParams("format=csv")));
const plainOrdered = `COPY (SELECT * FROM video_events ORDER BY video_events."sendTime" DESC, video_events.id DESC) TO STDOUT WITH (FORMAT csv)`;
const noToChar = csv.replace(/to_char\(([^ ]+) AT TIME ZONE 'UTC', '[^']+'\)/g, "$1");
for (let i = 0; i < 2; i++) {
  await copy("baseline COPY table", "COPY video_events TO STDOUT WITH (FORMAT csv)");
  await copy("COPY * ordered, index", plainOrdered, "SET enable_sort = off");
  await copy("export csv sql, index", csv, "SET enable_sort = off");
  await copy("export csv sql, sort", csv);
  await copy("export csv sql no to_char, index", noToChar, "SET enable_sort = off");
  const t = performance.now();
  await pipeline(await openExport(pool, parseExportRequest(new URLSearchParams("format=csv"))), devnull());
  console.log("openExport csv".padEnd(40), Math.round(N / ((performance.now() - t) / 1000)), "rows/s");
}
await pool.end();
