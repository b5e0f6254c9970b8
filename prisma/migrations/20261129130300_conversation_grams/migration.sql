-- Conversation ids, by gram (see 20261129130000_search_grams). Built CONCURRENTLY so that callbacks keep
-- being stored while it builds; that is only possible outside a transaction, hence a migration of
-- this one statement.
CREATE INDEX CONCURRENTLY "conversation_summaries_id_grams_idx" ON "conversation_summaries" USING gin (search_grams("conversationId"));
