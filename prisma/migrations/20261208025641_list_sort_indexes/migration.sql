-- The lists' other orders (lib/videos/sort.ts: sort=duration|-duration|size|-size), each one range
-- of one index read forwards or backwards, ending in the id so that ties page exactly; a
-- partitioned video_events gets them on every partition.
-- CreateIndex
CREATE INDEX "video_events_duration_idx" ON "video_events"("duration" DESC, "id" DESC);

-- By hand (Prisma cannot describe an expression index): a size the provider did not send counts as
-- 0, the expression the list's ORDER BY and cursor use, so NULLs neither split the order nor the pages.
CREATE INDEX "video_events_size_idx" ON "video_events"((COALESCE("cdnSize", 0)) DESC, "id" DESC);
