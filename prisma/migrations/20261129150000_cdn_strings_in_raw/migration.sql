-- A video's CDN strings (links, keys, md5) are stored once, in the raw envelope: new rows leave
-- cdnUrl, cdnPreviewUrl, cdnAesKey, cdnAuthKey and cdnMd5 NULL and readers take the envelope's
-- value (lib/shared/cdn-strings.ts), about 0.9 GB per million videos less. cdnUrl was the only
-- one NOT NULL. Dropping that is a catalog change (no scan, no rewrite); lock_timeout keeps it
-- from queueing every writer behind a long reader: it fails instead, to be run again. Rows
-- stored before keep their copies (readers prefer the column); nothing is rewritten.
SET lock_timeout = '5s';
ALTER TABLE "video_events" ALTER COLUMN "cdnUrl" DROP NOT NULL;
RESET lock_timeout;
