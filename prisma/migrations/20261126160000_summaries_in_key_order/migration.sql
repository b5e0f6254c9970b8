-- Two grouped inserts (group commit in two app instances, a parallel seed) could deadlock: each
-- upserted the same summary rows in whatever order its GROUP BY produced. Every upsert now takes
-- its rows in key order, so concurrent writers queue on the first shared row instead.
CREATE OR REPLACE FUNCTION video_events_summarise_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "conversation_participants" AS p ("conversationId", "fromWxId", "videoCount", "lastVideoAt")
  SELECT "conversationId", "fromWxId", count(*), max("sendTime") FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("conversationId", "fromWxId") DO UPDATE
    SET "videoCount" = p."videoCount" + EXCLUDED."videoCount",
        "lastVideoAt" = greatest(p."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "conversation_summaries" AS c ("conversationId", "videoCount", "totalDuration", "participantCount", "firstVideoAt", "lastVideoAt")
  SELECT n."conversationId", count(*), sum(n."duration"),
         (SELECT count(*) FROM "conversation_participants" p WHERE p."conversationId" = n."conversationId"),
         min(n."sendTime"), max(n."sendTime")
  FROM new_rows n GROUP BY n."conversationId" ORDER BY n."conversationId"
  ON CONFLICT ("conversationId") DO UPDATE
    SET "videoCount" = c."videoCount" + EXCLUDED."videoCount",
        "totalDuration" = c."totalDuration" + EXCLUDED."totalDuration",
        "participantCount" = EXCLUDED."participantCount",
        "firstVideoAt" = least(c."firstVideoAt", EXCLUDED."firstVideoAt"),
        "lastVideoAt" = greatest(c."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "sender_nicknames" AS s ("fromWxId", "nickName", "videoCount", "firstSeenAt", "lastSeenAt")
  SELECT "fromWxId", "fromNickName", count(*), min("sendTime"), max("sendTime")
  FROM new_rows WHERE "fromNickName" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("fromWxId", "nickName") DO UPDATE
    SET "videoCount" = s."videoCount" + EXCLUDED."videoCount",
        "firstSeenAt" = least(s."firstSeenAt", EXCLUDED."firstSeenAt"),
        "lastSeenAt" = greatest(s."lastSeenAt", EXCLUDED."lastSeenAt");

  INSERT INTO "sender_summaries" AS s ("fromWxId", "lastNickName", "videoCount", "totalDuration", "conversationCount", "firstVideoAt", "lastVideoAt")
  SELECT n."fromWxId",
         (array_agg(n."fromNickName" ORDER BY n."sendTime" DESC) FILTER (WHERE n."fromNickName" IS NOT NULL))[1],
         count(*), sum(n."duration"),
         (SELECT count(*) FROM "conversation_participants" p WHERE p."fromWxId" = n."fromWxId"),
         min(n."sendTime"), max(n."sendTime")
  FROM new_rows n GROUP BY n."fromWxId" ORDER BY n."fromWxId"
  ON CONFLICT ("fromWxId") DO UPDATE
    SET "lastNickName" = CASE WHEN EXCLUDED."lastVideoAt" >= s."lastVideoAt"
                              THEN coalesce(EXCLUDED."lastNickName", s."lastNickName") ELSE s."lastNickName" END,
        "videoCount" = s."videoCount" + EXCLUDED."videoCount",
        "totalDuration" = s."totalDuration" + EXCLUDED."totalDuration",
        "conversationCount" = EXCLUDED."conversationCount",
        "firstVideoAt" = least(s."firstVideoAt", EXCLUDED."firstVideoAt"),
        "lastVideoAt" = greatest(s."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "video_hourly" AS h ("hour", "videoCount", "totalDuration")
  SELECT date_trunc('hour', "sendTime"), count(*), sum("duration") FROM new_rows GROUP BY 1 ORDER BY 1
  ON CONFLICT ("hour") DO UPDATE
    SET "videoCount" = h."videoCount" + EXCLUDED."videoCount",
        "totalDuration" = h."totalDuration" + EXCLUDED."totalDuration";
  RETURN NULL;
END $$;

