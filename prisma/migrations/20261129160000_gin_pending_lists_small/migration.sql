-- The gram indexes of the summary tables take new entries on every stored video (each summary
-- update is a new row version). GIN gathers them in a pending list, and the statement that fills
-- the list past gin_pending_list_limit (4 MB by default) merges all of it into the index before it
-- commits: a group of callbacks then waited 150 to 300 ms every few seconds at 1,500 callbacks/s,
-- the longest waits in the callback's tail. With 256 kB the merges are small and frequent: p99.9 at
-- 50 connections 73 to 110 ms against 198 to 275 ms (docs/performance.md, "The callback before
-- Next"). A search reads the pending list in full, so a shorter one costs it nothing. Each ALTER
-- takes its index's exclusive lock for a catalog update only (nothing is rebuilt): writers to the
-- summary tables wait for that instant, and for any search still reading the index.
ALTER INDEX "sender_summaries_id_grams_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "sender_nicknames_grams_idx" SET (gin_pending_list_limit = 256);
ALTER INDEX "conversation_summaries_id_grams_idx" SET (gin_pending_list_limit = 256);
