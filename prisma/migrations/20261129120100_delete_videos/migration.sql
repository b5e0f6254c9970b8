-- Deleting a video (DELETE /api/videos/<id>, or all of one sender's) keeps its deliveries rows as
-- the record that a callback came, marked deleted, their bodies cleared.
ALTER TABLE "deliveries" ADD COLUMN "deletedAt" TIMESTAMPTZ(3);

-- Every deletion of video events is announced, as the insertions are, so every app instance's
-- open pages drop the cards (lib/live/hub.ts). Ids go out 300 at a time (pg_notify's 8000 bytes).
CREATE FUNCTION video_events_notify_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('video_events_deleted', string_agg(id::text, ','))
  FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / 300 AS chunk FROM old_rows) numbered
  GROUP BY chunk;
  RETURN NULL;
END $$;

CREATE TRIGGER video_events_notify_deleted AFTER DELETE ON "video_events"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION video_events_notify_deleted();
