-- What still kept video_events from being partitioned by "sendTime" without downtime
-- (lib/db/partition.ts does the conversion online; docs/performance.md explains it):

-- 1. The identity key without "sendTime" goes; the one built by the previous migration takes its
--    name. The receiver's insert names the new key's columns (lib/ingest/batch.ts).
DROP INDEX "video_events_identity_key";
ALTER INDEX "video_events_identity_time_key" RENAME TO "video_events_identity_key";

-- 2. A foreign key cannot reference a partitioned table's "id" alone. Its ON DELETE SET NULL is
--    kept by a statement-level trigger: one UPDATE per DELETE, through deliveries_video_event_idx.
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_videoEventId_fkey";

CREATE FUNCTION deliveries_unlink_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deliveries d SET "videoEventId" = NULL FROM deleted_events e WHERE d."videoEventId" = e.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER deliveries_unlink_deleted
  AFTER DELETE ON video_events
  REFERENCING OLD TABLE AS deleted_events
  FOR EACH STATEMENT EXECUTE FUNCTION deliveries_unlink_deleted();
