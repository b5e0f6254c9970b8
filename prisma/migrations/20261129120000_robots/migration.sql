-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "instanceId" TEXT,
ADD COLUMN     "robotId" TEXT;

-- CreateTable
CREATE TABLE "robot_instances" (
    "robotId" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "lastCallbackAt" TIMESTAMPTZ(3) NOT NULL,
    "lastVideoAt" TIMESTAMPTZ(3),

    CONSTRAINT "robot_instances_pkey" PRIMARY KEY ("robotId","instanceId")
);

-- CreateTable
CREATE TABLE "robot_hourly" (
    "robotId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "callbackCount" INTEGER NOT NULL DEFAULT 0,
    "videoCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "robot_hourly_pkey" PRIMARY KEY ("robotId","hour")
);

-- CreateTable
CREATE TABLE "robot_states" (
    "robotId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "robot_states_pkey" PRIMARY KEY ("robotId")
);

-- CreateTable
CREATE TABLE "robot_alerts" (
    "id" BIGSERIAL NOT NULL,
    "robotId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "lastCallbackAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedUntil" TIMESTAMPTZ(3),
    "lastError" TEXT,

    CONSTRAINT "robot_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "robot_alerts_robot_idx" ON "robot_alerts"("robotId", "id");

-- Each robot's latest activity and its hourly counts, kept as deliveries are recorded: one
-- upsert per robot per statement (a group commit's many rows count once), taken in key order so
-- concurrent writers queue instead of deadlocking. /robots never reads the deliveries log.
CREATE FUNCTION robots_summarise_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "robot_instances" AS r ("robotId", "instanceId", "lastCallbackAt", "lastVideoAt")
  SELECT "robotId", coalesce("instanceId", ''), max("receivedAt"), max("receivedAt") FILTER (WHERE outcome = 'stored')
  FROM new_rows WHERE "robotId" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("robotId", "instanceId") DO UPDATE
    SET "lastCallbackAt" = greatest(r."lastCallbackAt", EXCLUDED."lastCallbackAt"),
        "lastVideoAt" = greatest(r."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "robot_hourly" AS h ("robotId", "hour", "callbackCount", "videoCount")
  SELECT "robotId", date_trunc('hour', "receivedAt"), count(*), count(*) FILTER (WHERE outcome = 'stored')
  FROM new_rows WHERE "robotId" IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("robotId", "hour") DO UPDATE
    SET "callbackCount" = h."callbackCount" + EXCLUDED."callbackCount",
        "videoCount" = h."videoCount" + EXCLUDED."videoCount";
  RETURN NULL;
END $$;

CREATE TRIGGER robots_summarise_deliveries AFTER INSERT ON "deliveries"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION robots_summarise_deliveries();

-- Robots known from the videos stored before this migration (their deliveries carry no robotId).
INSERT INTO "robot_instances" ("robotId", "instanceId", "lastCallbackAt", "lastVideoAt")
SELECT "robotId", "instanceId", max("receivedAt"), max("receivedAt") FROM "video_events" GROUP BY 1, 2;
