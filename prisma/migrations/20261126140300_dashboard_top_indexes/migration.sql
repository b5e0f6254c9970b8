-- The overview's "top senders" and "top conversations" read the first rows of these indexes
-- instead of sorting the whole summary tables.
-- CreateIndex
CREATE INDEX "conversation_summaries_count_idx" ON "conversation_summaries"("videoCount" DESC);

-- CreateIndex
CREATE INDEX "sender_summaries_count_idx" ON "sender_summaries"("videoCount" DESC);
