-- A partitioned table can only enforce unique keys that contain its partition key, and
-- video_events is to be partitioned by "sendTime" (lib/db/partition.ts). The identity key gains
-- "sendTime"; a redelivery carries the same sendTime, so it still finds its row.
-- Built CONCURRENTLY so that an existing install keeps taking callbacks while it builds; that is
-- only possible outside a transaction, hence a migration of this one statement.
CREATE UNIQUE INDEX CONCURRENTLY "video_events_identity_time_key" ON "video_events"("instanceId", "messageKey", "sendTime");
