-- Sender ids, by gram (see 20261129130000_search_grams). Built CONCURRENTLY so that callbacks keep
-- being stored while it builds; that is only possible outside a transaction, hence a migration of
-- this one statement.
CREATE INDEX CONCURRENTLY "sender_summaries_id_grams_idx" ON "sender_summaries" USING gin (search_grams("fromWxId"));
