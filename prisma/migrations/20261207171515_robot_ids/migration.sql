-- Robot ids have a shape now (lib/ingest/payload.ts: 1 to 64 letters, digits, "_" or "-"); the
-- callback refuses any other. What the robot tables learnt before from ids outside it (a
-- 10,000-character id, a link, "@all") is removed: those are not robots the callback would
-- accept, and every page, alert and metric label shows robot ids. The deliveries keep them.
DELETE FROM "robot_instances" WHERE "robotId" !~ '^[A-Za-z0-9_-]{1,64}$';
DELETE FROM "robot_hourly" WHERE "robotId" !~ '^[A-Za-z0-9_-]{1,64}$';
DELETE FROM "robot_states" WHERE "robotId" !~ '^[A-Za-z0-9_-]{1,64}$';
DELETE FROM "robot_alerts" WHERE "robotId" !~ '^[A-Za-z0-9_-]{1,64}$';

-- The trigger counts only robot ids of that shape, whatever a writer puts in deliveries."robotId"
-- (a check constraint instead would fail the whole group of deliveries, and stop ingest).
CREATE OR REPLACE FUNCTION robots_summarise_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "robot_instances" AS r ("robotId", "instanceId", "lastCallbackAt", "lastVideoAt")
  SELECT "robotId", coalesce("instanceId", ''), max("receivedAt"), max("receivedAt") FILTER (WHERE outcome = 'stored')
  FROM new_rows WHERE "robotId" ~ '^[A-Za-z0-9_-]{1,64}$' GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("robotId", "instanceId") DO UPDATE
    SET "lastCallbackAt" = greatest(r."lastCallbackAt", EXCLUDED."lastCallbackAt"),
        "lastVideoAt" = greatest(r."lastVideoAt", EXCLUDED."lastVideoAt");

  INSERT INTO "robot_hourly" AS h ("robotId", "hour", "callbackCount", "videoCount")
  SELECT "robotId", date_trunc('hour', "receivedAt"), count(*), count(*) FILTER (WHERE outcome = 'stored')
  FROM new_rows WHERE "robotId" ~ '^[A-Za-z0-9_-]{1,64}$' GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("robotId", "hour") DO UPDATE
    SET "callbackCount" = h."callbackCount" + EXCLUDED."callbackCount",
        "videoCount" = h."videoCount" + EXCLUDED."videoCount";
  RETURN NULL;
END $$;
