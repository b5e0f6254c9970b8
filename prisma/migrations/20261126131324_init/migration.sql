-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "delivery_outcome" AS ENUM ('stored', 'duplicate', 'other_event', 'rejected');

-- CreateTable
CREATE TABLE "video_events" (
    "id" BIGSERIAL NOT NULL,
    "messageKey" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL DEFAULT '',
    "robotId" TEXT NOT NULL,
    "serverId" TEXT,
    "localId" TEXT,
    "fromWxId" TEXT NOT NULL DEFAULT '',
    "fromNickName" TEXT,
    "conversationId" TEXT NOT NULL DEFAULT '',
    "toWxId" TEXT,
    "messageSource" INTEGER NOT NULL,
    "isPc" INTEGER,
    "messageType" INTEGER,
    "appInfo" TEXT,
    "cdnType" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "duration" INTEGER NOT NULL,
    "sendTime" TIMESTAMPTZ(3) NOT NULL,
    "eventTime" TIMESTAMPTZ(3),
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "description" TEXT,
    "cdnUrl" TEXT NOT NULL,
    "cdnFileName" TEXT,
    "cdnSize" BIGINT,
    "cdnMd5" TEXT,
    "cdnAesKey" TEXT,
    "cdnAuthKey" TEXT,
    "cdnPreviewUrl" TEXT,
    "cdnPreviewSize" BIGINT,
    "cdnPreviewWidth" INTEGER,
    "cdnPreviewHeight" INTEGER,
    "raw" JSONB NOT NULL,

    CONSTRAINT "video_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" BIGSERIAL NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "eventCode" TEXT,
    "outcome" "delivery_outcome" NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "error" TEXT,
    "body" TEXT,
    "bodyBytes" INTEGER NOT NULL,
    "videoEventId" BIGINT,

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_summaries" (
    "conversationId" TEXT NOT NULL,
    "videoCount" INTEGER NOT NULL DEFAULT 0,
    "totalDuration" BIGINT NOT NULL DEFAULT 0,
    "participantCount" INTEGER NOT NULL DEFAULT 0,
    "firstVideoAt" TIMESTAMPTZ(3) NOT NULL,
    "lastVideoAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "conversation_summaries_pkey" PRIMARY KEY ("conversationId")
);

-- CreateTable
CREATE TABLE "conversation_participants" (
    "conversationId" TEXT NOT NULL,
    "fromWxId" TEXT NOT NULL,
    "videoCount" INTEGER NOT NULL DEFAULT 0,
    "lastVideoAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "conversation_participants_pkey" PRIMARY KEY ("conversationId","fromWxId")
);

-- CreateTable
CREATE TABLE "sender_summaries" (
    "fromWxId" TEXT NOT NULL,
    "lastNickName" TEXT,
    "videoCount" INTEGER NOT NULL DEFAULT 0,
    "totalDuration" BIGINT NOT NULL DEFAULT 0,
    "conversationCount" INTEGER NOT NULL DEFAULT 0,
    "firstVideoAt" TIMESTAMPTZ(3) NOT NULL,
    "lastVideoAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sender_summaries_pkey" PRIMARY KEY ("fromWxId")
);

-- CreateTable
CREATE TABLE "sender_nicknames" (
    "fromWxId" TEXT NOT NULL,
    "nickName" TEXT NOT NULL,
    "videoCount" INTEGER NOT NULL DEFAULT 0,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sender_nicknames_pkey" PRIMARY KEY ("fromWxId","nickName")
);

-- CreateTable
CREATE TABLE "video_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "videoCount" INTEGER NOT NULL DEFAULT 0,
    "totalDuration" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "video_hourly_pkey" PRIMARY KEY ("hour")
);

-- CreateIndex
CREATE INDEX "video_events_time_idx" ON "video_events"("sendTime" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "video_events_sender_idx" ON "video_events"("fromWxId", "sendTime" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "video_events_conversation_idx" ON "video_events"("conversationId", "sendTime" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "video_events_robot_idx" ON "video_events"("robotId", "sendTime" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "video_events_identity_key" ON "video_events"("instanceId", "messageKey");

-- CreateIndex
CREATE INDEX "deliveries_time_idx" ON "deliveries"("receivedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "deliveries_outcome_idx" ON "deliveries"("outcome", "receivedAt" DESC);

-- CreateIndex
CREATE INDEX "deliveries_event_code_idx" ON "deliveries"("eventCode", "receivedAt" DESC);

-- CreateIndex
CREATE INDEX "deliveries_video_event_idx" ON "deliveries"("videoEventId");

-- CreateIndex
CREATE INDEX "conversation_summaries_last_idx" ON "conversation_summaries"("lastVideoAt" DESC, "conversationId");

-- CreateIndex
CREATE INDEX "conversation_participants_sender_idx" ON "conversation_participants"("fromWxId", "lastVideoAt" DESC);

-- CreateIndex
CREATE INDEX "sender_summaries_last_idx" ON "sender_summaries"("lastVideoAt" DESC, "fromWxId");

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_videoEventId_fkey" FOREIGN KEY ("videoEventId") REFERENCES "video_events"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Summary tables are kept current here, in the database, so that every writer (the receiver,
-- the seed command, the spool drain, several app instances) updates them the same way.
-- Statement-level triggers see a whole batch at once: a grouped insert costs one upsert per
-- key, not one per row.
CREATE FUNCTION video_events_summarise_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "conversation_participants" AS p ("conversationId", "fromWxId", "videoCount", "lastVideoAt")
  SELECT "conversationId", "fromWxId", count(*), max("sendTime") FROM new_rows GROUP BY 1, 2
  ON CONFLICT ("conversationId", "fromWxId") DO UPDATE
    SET "videoCount" = p."videoCount" + EXCLUDED."videoCount",
        "lastVideoAt" = greatest(p."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "conversation_summaries" AS c ("conversationId", "videoCount", "totalDuration", "participantCount", "firstVideoAt", "lastVideoAt")
  SELECT n."conversationId", count(*), sum(n."duration"),
         (SELECT count(*) FROM "conversation_participants" p WHERE p."conversationId" = n."conversationId"),
         min(n."sendTime"), max(n."sendTime")
  FROM new_rows n GROUP BY n."conversationId"
  ON CONFLICT ("conversationId") DO UPDATE
    SET "videoCount" = c."videoCount" + EXCLUDED."videoCount",
        "totalDuration" = c."totalDuration" + EXCLUDED."totalDuration",
        "participantCount" = EXCLUDED."participantCount",
        "firstVideoAt" = least(c."firstVideoAt", EXCLUDED."firstVideoAt"),
        "lastVideoAt" = greatest(c."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "sender_nicknames" AS s ("fromWxId", "nickName", "videoCount", "firstSeenAt", "lastSeenAt")
  SELECT "fromWxId", "fromNickName", count(*), min("sendTime"), max("sendTime")
  FROM new_rows WHERE "fromNickName" IS NOT NULL GROUP BY 1, 2
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
  FROM new_rows n GROUP BY n."fromWxId"
  ON CONFLICT ("fromWxId") DO UPDATE
    SET "lastNickName" = CASE WHEN EXCLUDED."lastVideoAt" >= s."lastVideoAt"
                              THEN coalesce(EXCLUDED."lastNickName", s."lastNickName") ELSE s."lastNickName" END,
        "videoCount" = s."videoCount" + EXCLUDED."videoCount",
        "totalDuration" = s."totalDuration" + EXCLUDED."totalDuration",
        "conversationCount" = EXCLUDED."conversationCount",
        "firstVideoAt" = least(s."firstVideoAt", EXCLUDED."firstVideoAt"),
        "lastVideoAt" = greatest(s."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "video_hourly" AS h ("hour", "videoCount", "totalDuration")
  SELECT date_trunc('hour', "sendTime"), count(*), sum("duration") FROM new_rows GROUP BY 1
  ON CONFLICT ("hour") DO UPDATE
    SET "videoCount" = h."videoCount" + EXCLUDED."videoCount",
        "totalDuration" = h."totalDuration" + EXCLUDED."totalDuration";
  RETURN NULL;
END $$;

CREATE TRIGGER video_events_summarise_insert AFTER INSERT ON "video_events"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION video_events_summarise_insert();

-- Deleting (retention) takes counts and durations back out; first/last times stay as they were
-- seen, and rows whose count reaches zero go.
CREATE FUNCTION video_events_summarise_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "conversation_participants" p SET "videoCount" = p."videoCount" - d.n
  FROM (SELECT "conversationId", "fromWxId", count(*) AS n FROM old_rows GROUP BY 1, 2) d
  WHERE p."conversationId" = d."conversationId" AND p."fromWxId" = d."fromWxId";
  DELETE FROM "conversation_participants" WHERE "videoCount" <= 0;

  UPDATE "conversation_summaries" c SET "videoCount" = c."videoCount" - d.n, "totalDuration" = c."totalDuration" - d.dur,
    "participantCount" = (SELECT count(*) FROM "conversation_participants" p WHERE p."conversationId" = c."conversationId")
  FROM (SELECT "conversationId", count(*) AS n, sum("duration") AS dur FROM old_rows GROUP BY 1) d
  WHERE c."conversationId" = d."conversationId";
  DELETE FROM "conversation_summaries" WHERE "videoCount" <= 0;

  UPDATE "sender_nicknames" s SET "videoCount" = s."videoCount" - d.n
  FROM (SELECT "fromWxId", "fromNickName", count(*) AS n FROM old_rows WHERE "fromNickName" IS NOT NULL GROUP BY 1, 2) d
  WHERE s."fromWxId" = d."fromWxId" AND s."nickName" = d."fromNickName";
  DELETE FROM "sender_nicknames" WHERE "videoCount" <= 0;

  UPDATE "sender_summaries" s SET "videoCount" = s."videoCount" - d.n, "totalDuration" = s."totalDuration" - d.dur,
    "conversationCount" = (SELECT count(*) FROM "conversation_participants" p WHERE p."fromWxId" = s."fromWxId")
  FROM (SELECT "fromWxId", count(*) AS n, sum("duration") AS dur FROM old_rows GROUP BY 1) d
  WHERE s."fromWxId" = d."fromWxId";
  DELETE FROM "sender_summaries" WHERE "videoCount" <= 0;

  UPDATE "video_hourly" h SET "videoCount" = h."videoCount" - d.n, "totalDuration" = h."totalDuration" - d.dur
  FROM (SELECT date_trunc('hour', "sendTime") AS hour, count(*) AS n, sum("duration") AS dur FROM old_rows GROUP BY 1) d
  WHERE h."hour" = d.hour;
  DELETE FROM "video_hourly" WHERE "videoCount" <= 0;
  RETURN NULL;
END $$;

CREATE TRIGGER video_events_summarise_delete AFTER DELETE ON "video_events"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION video_events_summarise_delete();

-- Live updates: every stored video is announced on the `video_events` channel with its id, so
-- every app instance on this database can push it to its browsers (lib/live).
CREATE FUNCTION video_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('video_events', string_agg(id::text, ',')) FROM new_rows;
  RETURN NULL;
END $$;

CREATE TRIGGER video_events_notify AFTER INSERT ON "video_events"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION video_events_notify();
