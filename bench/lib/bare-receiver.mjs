// The ingest bench's yardstick: the least a receiver can do with a callback. A plain node:http
// server and a pg Pool: read the body, JSON.parse it, insert the video row with one INSERT on the
// same table (its summary triggers included), answer 200. No validation, no deliveries log, no
// framework. Run as its own process (`node bench/lib/bare-receiver.mjs <databaseUrl>`) so that it
// does not share an event loop with the load generator; it prints its port when listening.
// `node bench/lib/bare-receiver.mjs <databaseUrl> [table]`: another table of the same shape (the
// bench gives it one without video_events' summary triggers) shows what those triggers cost.
import http from "node:http";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.argv[2], max: 10 });
const table = process.argv[3] ?? "video_events";
if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);

const INSERT = `INSERT INTO ${table} ("messageKey", "instanceId", "robotId", "serverId", "localId", "fromWxId",
  "fromNickName", "conversationId", "toWxId", "messageSource", "isPc", "messageType", "appInfo", "cdnType", "width",
  "height", "duration", "sendTime", "eventTime", "receivedAt", "description", "cdnUrl", "cdnFileName", "cdnSize", "cdnMd5",
  "cdnAesKey", "cdnAuthKey", "cdnPreviewUrl", "cdnPreviewSize", "cdnPreviewWidth", "cdnPreviewHeight", "raw")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
  $25, $26, $27, $28, $29, $30, $31, $32)
  ON CONFLICT ("instanceId", "messageKey", "sendTime") DO NOTHING`;

function values(text) {
  const envelope = JSON.parse(text);
  const d = envelope.data;
  const cdn = d.cdnData;
  const now = new Date();
  return [
    d.serverId || `local:${d.localId}`, d.instanceId ?? "", d.robotId, d.serverId, d.localId, d.fromWxId ?? "",
    d.fromNickName, d.conversationId ?? "", d.toWxId, d.messageSource, d.isPc, d.messageType, d.appInfo, d.cdnType, d.width,
    d.height, d.duration, new Date(d.sendTime ?? envelope.time), new Date(envelope.time), now, envelope.description, cdn.url,
    cdn.file_name, cdn.size, cdn.md5, cdn.aes_key, cdn.auth_key, cdn.preview_img_url, cdn.preview_img_size, cdn.width,
    cdn.height, text,
  ];
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let row;
    try {
      row = values(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":"bad body"}');
      return;
    }
    pool.query({ name: "bare_insert", text: INSERT, values: row }).then(
      () => res.writeHead(200, { "content-type": "application/json" }).end("{}"),
      () => res.writeHead(503, { "content-type": "application/json" }).end('{"error":"database"}'),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(String(server.address().port)));
process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
