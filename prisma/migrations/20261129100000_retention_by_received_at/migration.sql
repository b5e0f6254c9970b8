-- Retention (lib/retention/retention.ts) deletes videos by when they were received, not by the
-- provider's sendTime (which may be 0, or an example date years old): it needs this index.
CREATE INDEX "video_events_received_idx" ON "video_events"("receivedAt");
