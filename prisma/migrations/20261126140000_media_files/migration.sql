-- The media cache index (lib/media/store.ts): one row per cached video or preview file.
-- Rows go with their event (retention) through a statement-level DELETE trigger rather than a
-- foreign key: a foreign key would make `TRUNCATE video_events` fail.
-- CreateEnum
CREATE TYPE "media_kind" AS ENUM ('video', 'preview');

-- CreateEnum
CREATE TYPE "media_source" AS ENUM ('cdn', 'upload');

-- CreateTable
CREATE TABLE "media_files" (
    "videoEventId" BIGINT NOT NULL,
    "kind" "media_kind" NOT NULL,
    "sha256" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "source" "media_source" NOT NULL,
    "storedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "media_files_pkey" PRIMARY KEY ("videoEventId","kind")
);

-- CreateIndex
CREATE INDEX "media_files_sha256_idx" ON "media_files"("sha256");

-- Forget the cached media of deleted events (one statement per DELETE, however many rows).
CREATE FUNCTION media_files_forget_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM media_files m USING deleted_events d WHERE m."videoEventId" = d.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER media_files_forget_deleted
  AFTER DELETE ON video_events
  REFERENCING OLD TABLE AS deleted_events
  FOR EACH STATEMENT EXECUTE FUNCTION media_files_forget_deleted();
