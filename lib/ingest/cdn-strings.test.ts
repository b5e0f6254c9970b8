// The CDN strings (links, keys, md5) are stored once, in `raw` (lib/shared/cdn-strings). For
// random envelopes whose cdnData strings are absent, null, empty or odd (CJK, emoji, quotes,
// backslashes, LIKE's `%` and `_`, control characters, NUL, JSON's own escapes), stored through
// the real receiver: the stored envelope is the one sent, byte for byte as jsonb text, and every
// reader (detail, media, the three export formats) answers what the columns used to hold.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { csvRecords, readAll } from "../../test/support/export-readers";
import { parseExportRequest } from "../export/request";
import { openExport } from "../export/stream";
import { mediaSource } from "../media/source";
import { CDN_STRING_KEYS, type CdnStringColumn } from "../shared/cdn-strings";
import { getVideo } from "../videos/list";
import { LIMITS } from "./payload";
import { receiveDelivery } from "./store";

const db = useTestDatabase();
const example = JSON.parse(readFileSync(new URL("../../test/fixtures/provider-example-20004.json", import.meta.url), "utf8"));

const ODD = ["", "张三", "🐼🎬", '"', "'", "\\", "\\u0041", "%", "_", "\n", "\t", "\u0001", "\u0000", "\u2028", "=1+2", " ", "a,b", "https://x/?a=1&b=%20"];
const oddText = fc.oneof(
  fc.array(fc.constantFrom(...ODD), { maxLength: 6 }).map((parts) => parts.join("")),
  // Any code point (no lone surrogates: PostgreSQL refuses those in jsonb whatever is stored).
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme-ascii", minLength: 500, maxLength: 700 }),
);
/** A cdnData field as a provider may send it: missing, null, or a string. */
const ABSENT = Symbol("absent");
const field = fc.oneof(fc.constant<typeof ABSENT>(ABSENT), fc.constant(null), oddText);
const KEYS = Object.values(CDN_STRING_KEYS);

/** Within the payload's limit for the field (the long texts are ASCII: no pair is cut). */
const upTo = (max: number) => (v: string | null | typeof ABSENT) => (typeof v === "string" ? v.slice(0, max) : v);

const envelopeArb = fc.record({
  url: oddText.filter((s) => s.length > 0), // required, non-empty
  preview_img_url: field,
  aes_key: field.map(upTo(LIMITS.name)),
  auth_key: field.map(upTo(LIMITS.key)),
  md5: field.map(upTo(LIMITS.name)),
  extra: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 3 })),
});

let serial = 0;
function envelope(fields: Record<string, unknown>) {
  const cdnData: Record<string, unknown> = { ...example.data.cdnData, ...(fields.extra ?? {}) };
  for (const key of KEYS) {
    const value = fields[key];
    if (value === ABSENT) delete cdnData[key];
    else cdnData[key] = value;
  }
  serial += 1;
  return { ...example, unknownTop: { nested: [1, "二"] }, data: { ...example.data, serverId: `cdn-${process.pid}-${serial}`, cdnData } };
}

/** The envelope as the receiver keeps it: every NUL made U+FFFD (PostgreSQL holds no NUL). */
function nulFree(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("\0", "\uFFFD");
  if (Array.isArray(value)) return value.map(nulFree);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nulFree(v)]));
  return value;
}

/** What the columns held before: the envelope's string, NUL made U+FFFD as the receiver does; else null. */
function expected(sent: Record<string, unknown>, key: string): string | null {
  const value = sent[key];
  return typeof value === "string" ? value.replaceAll("\0", "\uFFFD") : null;
}

const COLUMN_OF_KEY = Object.fromEntries(Object.entries(CDN_STRING_KEYS).map(([column, key]) => [key, column])) as Record<string, CdnStringColumn>;
const EXPORT_NAME = { url: "cdn_url", preview_img_url: "cdn_preview_img_url", aes_key: "cdn_aes_key", auth_key: "cdn_auth_key", md5: "cdn_md5" } as const;

describe("CDN strings stored once, in raw", () => {
  it("keeps every envelope exactly, and every reader answers what the columns held", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(envelopeArb, { minLength: 1, maxLength: 6 }), async (batch) => {
        await db.pool.query("TRUNCATE video_events CASCADE");
        const sent = batch.map(envelope);
        const ids: string[] = [];
        for (const env of sent) {
          const body = Buffer.from(JSON.stringify(env));
          const result = await receiveDelivery(db.client, body);
          expect(result.outcome).toBe("stored");
          ids.push(String((result as { videoId: unknown }).videoId));
          // Byte-equivalent: the stored jsonb's text is the text of the body parsed as jsonb.
          const { rows: [same] } = await db.pool.query(
            `SELECT raw::text = $2::jsonb::text AS equal, "cdnUrl" IS NULL AS not_copied FROM video_events WHERE id = $1::bigint`,
            [ids.at(-1), JSON.stringify(nulFree(env))],
          );
          expect(same).toEqual({ equal: true, not_copied: true });
        }
        const exported = {
          csv: csvRecords((await readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams("format=csv&includeSecrets=1&raw=1"))))).toString("utf8")),
          ndjson: (await readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams("format=ndjson&includeSecrets=1")))))
            .toString("utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
          json: JSON.parse((await readAll(await openExport(db.pool, parseExportRequest(new URLSearchParams("format=json&includeSecrets=1"))))).toString("utf8")) as Record<string, unknown>[],
        };
        for (const [i, env] of sent.entries()) {
          const cdn = env.data.cdnData as Record<string, unknown>;
          const detail = await getVideo(db.client, ids[i], { includeSecrets: true });
          expect(detail!.raw).toEqual(nulFree(env));
          const media: Record<string, unknown> = await mediaSource(db.client, ids[i]);
          for (const key of KEYS) {
            const want = expected(cdn, key);
            expect(detail!.cdnData[key], key).toBe(want);
            if (key !== "auth_key") expect(media[COLUMN_OF_KEY[key]], key).toBe(want);
            // CSV writes NULL as an empty unquoted field and "" quoted: the reader tells them apart.
            expect(exported.csv.find((r) => r.id === ids[i])![EXPORT_NAME[key]], `csv ${key}`).toBe(want);
            expect(exported.ndjson.find((r) => r.id === ids[i])![EXPORT_NAME[key]], `ndjson ${key}`).toBe(want);
            expect(exported.json.find((r) => r.id === ids[i])![EXPORT_NAME[key]], `json ${key}`).toBe(want);
          }
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it("reads a row stored before the change (its columns filled) the same way", async () => {
    await db.pool.query("TRUNCATE video_events CASCADE");
    const env = envelope({ url: "https://a/1", preview_img_url: "https://a/p", aes_key: "k", auth_key: "au", md5: "m", extra: null });
    const videoId = String(((await receiveDelivery(db.client, Buffer.from(JSON.stringify(env)))) as { videoId: unknown }).videoId);
    const fresh = await getVideo(db.client, videoId, { includeSecrets: true });
    // As the receiver wrote rows until migration 20261129150000.
    await db.pool.query(
      `UPDATE video_events SET "cdnUrl" = 'https://a/1', "cdnPreviewUrl" = 'https://a/p', "cdnAesKey" = 'k', "cdnAuthKey" = 'au', "cdnMd5" = 'm' WHERE id = $1::bigint`,
      [videoId],
    );
    expect(await getVideo(db.client, videoId, { includeSecrets: true })).toEqual(fresh);
    expect(fresh!.cdnData).toMatchObject({ url: "https://a/1", preview_img_url: "https://a/p", aes_key: "k", auth_key: "au", md5: "m" });
  });
});
