-- The media cache index (lib/media/store.ts): one row per cached video or preview file.
-- Cascades with its event, so retention removes index rows with the events.
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

-- AddForeignKey
ALTER TABLE "media_files" ADD CONSTRAINT "media_files_videoEventId_fkey" FOREIGN KEY ("videoEventId") REFERENCES "video_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
