-- CreateEnum
CREATE TYPE "archive_state" AS ENUM ('pending', 'archived', 'expired', 'failed');

-- CreateTable
CREATE TABLE "media_archive" (
    "videoEventId" BIGINT NOT NULL,
    "kind" "media_kind" NOT NULL,
    "state" "archive_state" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "reason" TEXT,
    "error" TEXT,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "leaseUntil" TIMESTAMPTZ(3),
    "archivedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "media_archive_pkey" PRIMARY KEY ("videoEventId","kind")
);

-- CreateIndex
CREATE INDEX "media_archive_state_idx" ON "media_archive"("state", "kind", "receivedAt");

-- Archive rows go with their event (retention, DELETE /api/videos), as media_files rows do:
-- a statement-level trigger rather than a foreign key (video_events may be partitioned).
CREATE FUNCTION media_archive_forget_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM media_archive a USING deleted_events d WHERE a."videoEventId" = d.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER media_archive_forget_deleted
  AFTER DELETE ON video_events
  REFERENCING OLD TABLE AS deleted_events
  FOR EACH STATEMENT EXECUTE FUNCTION media_archive_forget_deleted();
