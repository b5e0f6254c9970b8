-- The gram indexes of the summary tables take new entries on every stored video (each summary
-- update is a new row version). GIN gathers them in a pending list, and the statement that fills
-- the list past gin_pending_list_limit (4 MB by default) merges all of it into the index before it
-- commits: a group of callbacks then waited 150 to 300 ms every few seconds at 1,500 callbacks/s,
-- the whole tail above the callback's p99. With 256 kB the merges are small and frequent: p99.9 at
-- 50 connections 73 to 110 ms against 198 to 275 ms (docs/performance.md, "The callback before
-- Next"). A search reads the pending list in full, so a shorter one costs it nothing. Takes no lock
-- that writers wait on.
ALTER INDEX "sender_summaries_id_grams_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "sender_nicknames_grams_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "conversation_summaries_id_grams_idx" SET (gin_pending_list_limit = 256);
